import type { CheckStatus } from '@guardrails/plugin-scorecards-common';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import { makeStyles, Theme } from '@material-ui/core/styles';
import CancelIcon from '@material-ui/icons/Cancel';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import PauseCircleFilledIcon from '@material-ui/icons/PauseCircleFilled';
import RemoveCircleOutlineIcon from '@material-ui/icons/RemoveCircleOutline';
import WarningIcon from '@material-ui/icons/Warning';
import { scorecardsTranslationRef } from '../../translation';
import { statusKey } from './statusKey';

const ICONS: Record<CheckStatus, typeof CheckCircleIcon> = {
  pass: CheckCircleIcon,
  fail: CancelIcon,
  warn: WarningIcon,
  waived: PauseCircleFilledIcon,
  'not-applicable': RemoveCircleOutlineIcon,
  error: ErrorIcon,
};

/** The colour of each status; never the only sign of it, always beside an icon and a word. */
export function statusColor(theme: Theme, status: CheckStatus): string {
  switch (status) {
    case 'pass':
      return theme.palette.success.main;
    case 'fail':
      return theme.palette.error.main;
    case 'error':
      return theme.palette.error.dark;
    case 'warn':
      return theme.palette.warning.dark;
    case 'waived':
      return theme.palette.info.main;
    default:
      return theme.palette.text.secondary;
  }
}

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    whiteSpace: 'nowrap',
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  icon: (props: { status: CheckStatus }) => ({
    color: statusColor(theme, props.status),
  }),
}));

/** A check status as an icon and a word. */
export function StatusIcon(props: {
  status: CheckStatus;
  fontSize?: 'small' | 'inherit' | 'default';
}) {
  const classes = useStyles({ status: props.status });
  const Icon = ICONS[props.status];
  return (
    <Icon
      className={classes.icon}
      fontSize={props.fontSize ?? 'small'}
      aria-hidden
    />
  );
}

/** A check status as an icon and a word, e.g. "✖ Fail". */
export function StatusBadge(props: { status: CheckStatus; label?: string }) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles({ status: props.status });
  return (
    <Box component="span" className={classes.root}>
      <StatusIcon status={props.status} />
      <span>{props.label ?? t(`status.${statusKey(props.status)}`)}</span>
    </Box>
  );
}

import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { scorecardsTranslationRef } from '../../translation';
import type { ScorecardChange } from '../shared/diff';
import { relativeTime } from '../shared/format';
import { errorMessage } from '../shared/ScorecardGate';
import { statusKey } from '../shared/statusKey';

const useStyles = makeStyles(theme => ({
  root: {
    padding: theme.spacing(1.5, 2),
    borderRadius: theme.shape.borderRadius,
    border: `1px solid ${theme.palette.divider}`,
    backgroundColor: theme.palette.background.default,
  },
  list: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(3),
  },
}));

/** What a re-evaluation found: when it ran and what it changed, or its error. */
export function ReevaluateResult(props: {
  result: { at: string; changes: ScorecardChange[] } | { error: Error };
}) {
  const { result } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();

  if ('error' in result) {
    return (
      <Box className={classes.root} role="alert">
        <Typography variant="body2" color="error">
          {t('reevaluate.failed', { message: errorMessage(result.error) })}
        </Typography>
      </Box>
    );
  }

  const status = (value?: Parameters<typeof statusKey>[0]) =>
    value ? t(`status.${statusKey(value)}`) : '—';
  return (
    <Box className={classes.root} role="status">
      <Typography variant="body2">
        <strong>
          {t('reevaluate.done', { time: relativeTime(result.at) })}
        </strong>{' '}
        {result.changes.length === 0
          ? t('reevaluate.nothingChanged')
          : t('reevaluate.changes', { count: result.changes.length })}
      </Typography>
      {result.changes.length > 0 && (
        <ul className={classes.list}>
          {result.changes.map(change => (
            <li
              key={`${change.scorecardId}:${change.type}:${
                change.type === 'check' ? change.checkId : ''
              }`}
            >
              <Typography variant="body2">
                {change.type === 'check' &&
                  t('reevaluate.checkChange', {
                    check: change.title,
                    from: status(change.from),
                    to: status(change.to),
                  })}
                {change.type === 'score' &&
                  t('reevaluate.scoreChange', {
                    from: String(change.from),
                    to: String(change.to),
                  })}
                {change.type === 'level' &&
                  t('reevaluate.levelChange', {
                    from: change.from ?? t('level.none'),
                    to: change.to ?? t('level.none'),
                  })}
              </Typography>
            </li>
          ))}
        </ul>
      )}
    </Box>
  );
}

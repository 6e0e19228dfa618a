import { Link, MarkdownContent } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { CheckResultView } from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import EditIcon from '@material-ui/icons/Edit';
import { scorecardsTranslationRef } from '../../translation';
import { formatDate, formatDay, relativeTime } from '../shared/format';
import { needsAttention, readsCatalogInfo } from '../shared/order';
import { StatusBadge } from '../shared/StatusBadge';
import { useLabels } from '../shared/useLabels';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'grid',
    gridTemplateColumns: '9rem minmax(0, 1fr)',
    gap: theme.spacing(2),
    padding: theme.spacing(2, 0),
    borderTop: `1px solid ${theme.palette.divider}`,
    scrollMarginTop: theme.spacing(10),
    [theme.breakpoints.down('xs')]: {
      gridTemplateColumns: 'minmax(0, 1fr)',
      gap: theme.spacing(1),
    },
  },
  selected: {
    outline: `2px solid ${theme.palette.primary.main}`,
    outlineOffset: theme.spacing(0.5),
    borderRadius: theme.shape.borderRadius,
  },
  title: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'baseline',
    gap: theme.spacing(0.5, 1.5),
  },
  meta: {
    color: theme.palette.text.secondary,
  },
  note: {
    marginTop: theme.spacing(1),
    padding: theme.spacing(1, 1.5),
    borderLeft: `3px solid ${theme.palette.divider}`,
    backgroundColor: theme.palette.background.default,
  },
  fix: {
    marginTop: theme.spacing(1.5),
    // The code highlighter's string and comment colours fall below 4.5:1 on its background;
    // remediation snippets are short enough to read in the text colour.
    '& pre span': {
      color: 'inherit !important',
    },
  },
  links: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 2),
    margin: theme.spacing(1, 0, 0),
    padding: 0,
    listStyle: 'none',
  },
}));

/** One check on the scorecard tab: its status, why, and how to fix it. */
export function CheckItem(props: {
  check: CheckResultView;
  editUrl?: string;
  selected?: boolean;
}) {
  const { check, editUrl, selected } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const labels = useLabels();
  const classes = useStyles();
  const attention = needsAttention(check);
  const waiver = check.waiver;

  return (
    <li
      id={`check-${check.checkId}`}
      className={`${classes.root} ${selected ? classes.selected : ''}`}
      aria-labelledby={`check-${check.checkId}-title`}
    >
      <Box pt={0.25}>
        <StatusBadge status={check.status} />
      </Box>
      <Box minWidth={0}>
        <div className={classes.title}>
          <Typography
            variant="subtitle1"
            component="h4"
            id={`check-${check.checkId}-title`}
          >
            {check.title}
          </Typography>
          <Typography variant="caption" className={classes.meta}>
            {t('severity.label', { severity: labels.severity(check.severity) })}
            {' · '}
            {t('time.since', { date: formatDate(check.since) })}
          </Typography>
        </div>

        <Typography variant="body2">
          {check.status === 'error' && (
            <strong>{t('content.malformed')}: </strong>
          )}
          {check.explanation}
        </Typography>

        {check.status === 'warn' && check.enforcedFrom && (
          <Typography variant="body2" className={classes.note}>
            {t('content.enforcedFrom', {
              date: formatDay(check.enforcedFrom),
            })}
          </Typography>
        )}
        {check.status === 'warn' && check.severity === 'warning' && (
          <Typography variant="body2" className={classes.note}>
            {t('content.advisory')}
          </Typography>
        )}
        {waiver?.applied && waiver.waiver && (
          <Typography variant="body2" className={classes.note}>
            {t('content.waived', {
              date: formatDay(waiver.waiver.expiresAt),
              relative: relativeTime(waiver.waiver.expiresAt),
              grantedBy: waiver.waiver.grantedBy,
            })}
          </Typography>
        )}
        {waiver && !waiver.applied && waiver.problem && (
          <Typography variant="body2" className={classes.note}>
            {t('content.waiverProblem', { problem: waiver.problem })}
          </Typography>
        )}

        {attention && check.remediation && (
          <div className={classes.fix}>
            <Typography variant="overline" component="h5">
              {t('content.howToFix')}
            </Typography>
            <MarkdownContent content={check.remediation} />
          </div>
        )}

        {(attention && editUrl && readsCatalogInfo(check)) ||
        (check.links && check.links.length > 0) ? (
          <ul className={classes.links}>
            {attention && editUrl && readsCatalogInfo(check) && (
              <li>
                <Link to={editUrl} target="_blank" rel="noopener">
                  <Box
                    component="span"
                    display="inline-flex"
                    alignItems="center"
                  >
                    <EditIcon fontSize="inherit" aria-hidden />
                    <Box component="span" ml={0.5}>
                      {t('content.editCatalogInfo')}
                    </Box>
                  </Box>
                </Link>
              </li>
            )}
            {check.links?.map(link => (
              <li key={link.url}>
                <Link to={link.url}>{link.title}</Link>
              </li>
            ))}
          </ul>
        ) : null}
      </Box>
    </li>
  );
}

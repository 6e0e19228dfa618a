import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  CheckResultView,
  ScorecardView,
} from '@guardrails/plugin-scorecards-common';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import EmojiEventsIcon from '@material-ui/icons/EmojiEvents';
import EmojiEventsOutlinedIcon from '@material-ui/icons/EmojiEventsOutlined';
import { scorecardsTranslationRef } from '../../translation';
import { levelColor } from '../shared/LevelBadge';
import { StatusIcon } from '../shared/StatusBadge';
import { statusKey } from '../shared/statusKey';
import { useSharedStyles } from '../shared/styles';

const useStyles = makeStyles(theme => ({
  ladder: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(12rem, 1fr))',
    gap: theme.spacing(1.5),
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  level: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1.5),
  },
  current: {
    borderColor: theme.palette.primary.main,
    borderWidth: 2,
  },
  heading: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  checks: {
    margin: theme.spacing(1, 0, 0),
    padding: 0,
    listStyle: 'none',
    '& > li': {
      display: 'flex',
      alignItems: 'flex-start',
      gap: theme.spacing(0.75),
      padding: theme.spacing(0.25, 0),
    },
  },
}));

/** A check stands in the way of a level when it is enforced and neither passes nor is waived. */
function holdsForLevel(check: CheckResultView | undefined): boolean {
  return (
    !check ||
    !check.enforced ||
    check.status === 'pass' ||
    check.status === 'waived' ||
    check.status === 'not-applicable'
  );
}

/** The levels of a scorecard, lowest first: each with its checks and whether it is reached. */
export function LevelLadder(props: { scorecard: ScorecardView }) {
  const { scorecard } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const shared = useSharedStyles();
  const checks = new Map(scorecard.checks.map(c => [c.checkId, c]));

  return (
    <ol className={classes.ladder} aria-label={t('content.levels')}>
      {scorecard.levels.map((level, index) => {
        const reached = index <= scorecard.levelIndex;
        const current = index === scorecard.levelIndex;
        const levelChecks = level.checks.map(id => ({
          id,
          result: checks.get(id),
        }));
        const passing = levelChecks.filter(c => holdsForLevel(c.result)).length;
        return (
          <li
            key={level.name}
            className={`${classes.level} ${current ? classes.current : ''}`}
            aria-current={current ? 'step' : undefined}
          >
            <div className={classes.heading}>
              {reached ? (
                <EmojiEventsIcon
                  style={{ color: levelColor(index) }}
                  aria-hidden
                />
              ) : (
                <EmojiEventsOutlinedIcon color="disabled" aria-hidden />
              )}
              <Typography variant="subtitle1" component="h4">
                {level.name}
              </Typography>
            </div>
            <Typography variant="body2">
              <strong>
                {reached ? t('level.reached') : t('level.notReached')}
              </strong>
              {current && ` · ${t('level.current')}`}
            </Typography>
            <Typography variant="caption" color="textSecondary">
              {t('level.checksPassing', {
                passing: String(passing),
                total: String(levelChecks.length),
              })}
            </Typography>
            <ul className={classes.checks}>
              {levelChecks.map(({ id, result }) => (
                <li key={id}>
                  {result && <StatusIcon status={result.status} />}
                  <Typography variant="body2" component="span">
                    {result && (
                      <span className={shared.srOnly}>
                        {t(`status.${statusKey(result.status)}`)}:{' '}
                      </span>
                    )}
                    {result?.title ?? id}
                  </Typography>
                </li>
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}

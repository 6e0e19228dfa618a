import { Link, MarkdownContent } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  EntityInfoCard,
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  CHECK_STATUSES,
  type ScorecardView,
} from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { useEntityScorecards } from '../../hooks/useEntityScorecards';
import { scorecardsTranslationRef } from '../../translation';
import { firstSentence, relativeTime } from '../shared/format';
import { needsAttention, worstFirst } from '../shared/order';
import { ScorecardGate } from '../shared/ScorecardGate';
import { NextLevel, ScoreHeadline } from '../shared/ScoreHeadline';
import { StatusBadge, StatusIcon } from '../shared/StatusBadge';
import { useSharedStyles } from '../shared/styles';
import { statusKey } from '../shared/statusKey';

/** How many checks needing attention the card lists before pointing to the tab. */
const MAX_LISTED = 3;

/**
 * Props of {@link EntityScorecardCard}.
 *
 * @public
 */
export interface EntityScorecardCardProps {
  /** Id of the one scorecard to show; by default every scorecard that applies. */
  scorecard?: string;
  /** The card's title; by default the scorecard's own title. */
  title?: string;
  /** Path of the scorecard tab below the entity page. Defaults to `scorecard`. */
  tabPath?: string;
}

const useStyles = makeStyles(theme => ({
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 2),
    margin: theme.spacing(1.5, 0),
    padding: 0,
    listStyle: 'none',
  },
  checks: {
    margin: 0,
    padding: 0,
    listStyle: 'none',
    '& > li': {
      display: 'flex',
      gap: theme.spacing(1),
      padding: theme.spacing(1, 0),
      borderTop: `1px solid ${theme.palette.divider}`,
    },
  },
  fix: {
    '& p': { margin: 0 },
    '& code': { fontSize: '0.85em' },
  },
  section: {
    '& + &': {
      marginTop: theme.spacing(3),
    },
  },
}));

function ScorecardSummary(props: {
  scorecard: ScorecardView;
  tabLink?: string;
  showTitle: boolean;
}) {
  const { scorecard, tabLink, showTitle } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const shared = useSharedStyles();
  const attention = worstFirst(scorecard.checks.filter(needsAttention));
  const listed = attention.slice(0, MAX_LISTED);
  const checkLink = (checkId: string) =>
    tabLink
      ? `${tabLink}?scorecard=${encodeURIComponent(
          scorecard.scorecardId,
        )}&check=${encodeURIComponent(checkId)}`
      : undefined;

  return (
    <section
      className={classes.section}
      aria-label={showTitle ? scorecard.title : undefined}
    >
      {showTitle && (
        <Typography variant="subtitle2" component="h4" gutterBottom>
          {scorecard.title}
        </Typography>
      )}
      <ScoreHeadline scorecard={scorecard} />
      <Box mt={1}>
        <NextLevel scorecard={scorecard} />
      </Box>

      <ul className={classes.counts}>
        {CHECK_STATUSES.filter(status => scorecard.counts[status] > 0).map(
          status => (
            <li key={status}>
              <StatusBadge
                status={status}
                label={t(`statusCount.${statusKey(status)}`, {
                  count: scorecard.counts[status],
                })}
              />
            </li>
          ),
        )}
      </ul>

      {attention.length === 0 ? (
        <Typography variant="body2">{t('card.allPassing')}</Typography>
      ) : (
        <>
          <Typography variant="overline" component="h5">
            {t('card.failingChecks')}
          </Typography>
          <ul className={classes.checks}>
            {listed.map(check => {
              const link = checkLink(check.checkId);
              return (
                <li key={check.checkId}>
                  <Box pt={0.25}>
                    <StatusIcon status={check.status} />
                  </Box>
                  <Box minWidth={0}>
                    <Typography variant="body2" component="p">
                      <span className={shared.srOnly}>
                        {t(`status.${statusKey(check.status)}`)}:{' '}
                      </span>
                      {link ? (
                        <Link to={link}>{check.title}</Link>
                      ) : (
                        check.title
                      )}
                    </Typography>
                    {check.remediation && (
                      <Typography
                        variant="body2"
                        color="textSecondary"
                        component="div"
                        className={classes.fix}
                      >
                        <MarkdownContent
                          content={firstSentence(check.remediation)}
                        />
                      </Typography>
                    )}
                  </Box>
                </li>
              );
            })}
          </ul>
          {attention.length > listed.length && (
            <Typography variant="body2">
              {tabLink ? (
                <Link to={tabLink}>
                  {t('card.moreInScorecard', {
                    count: attention.length - listed.length,
                  })}
                </Link>
              ) : (
                t('card.moreInScorecard', {
                  count: attention.length - listed.length,
                })
              )}
            </Typography>
          )}
        </>
      )}
    </section>
  );
}

/**
 * The summary card for an entity's overview: level, score, what the next level needs, counts by
 * status, the checks that need attention with the first step of their fix, and when the entity
 * was evaluated. One request answers it.
 *
 * @public
 */
export function EntityScorecardCard(props: EntityScorecardCardProps) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const state = useEntityScorecards();
  const entityRoute = useRouteRef(entityRouteRef);
  const tabLink = `${entityRoute(entityRouteParams(state.entity))}/${
    props.tabPath ?? 'scorecard'
  }`;
  const shown = state.value?.scorecards.filter(
    s => !props.scorecard || s.scorecardId === props.scorecard,
  );
  const title =
    props.title ?? (shown?.length === 1 ? shown[0].title : t('card.title'));

  return (
    <EntityInfoCard
      className="scorecards-EntityScorecardCard"
      title={title}
      footerActions={
        state.value?.status === 'evaluated' ? (
          <Box
            display="flex"
            justifyContent="space-between"
            alignItems="center"
            width="100%"
          >
            <Typography variant="caption" color="textSecondary">
              {state.value.evaluatedAt &&
                t('time.evaluated', {
                  time: relativeTime(state.value.evaluatedAt),
                })}
            </Typography>
            <Link to={tabLink}>{t('card.viewScorecard')}</Link>
          </Box>
        ) : undefined
      }
    >
      <ScorecardGate state={state} variant="card">
        {() =>
          shown && shown.length > 0 ? (
            shown.map(scorecard => (
              <ScorecardSummary
                key={scorecard.scorecardId}
                scorecard={scorecard}
                tabLink={tabLink}
                showTitle={shown.length > 1}
              />
            ))
          ) : (
            <Typography variant="body2">
              {t('states.noSuchScorecard', {
                scorecard: props.scorecard ?? '',
              })}
            </Typography>
          )
        }
      </ScorecardGate>
    </EntityInfoCard>
  );
}

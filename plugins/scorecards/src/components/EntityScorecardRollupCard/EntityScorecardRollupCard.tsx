import { stringifyEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import BlockIcon from '@material-ui/icons/Block';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { scorecardsApiRef } from '../../api';
import { useRollupPageLink } from '../../hooks/useRollupPageLink';
import { scorecardsTranslationRef } from '../../translation';
import { Figure } from '../shared/Figure';
import { LevelDistribution } from '../shared/LevelDistribution';
import { StateMessage } from '../shared/StateMessage';
import { LoadState } from '../shared/LoadState';
import { StatusIcon } from '../shared/StatusBadge';

/** How many of the checks failing most the card names. */
const TOP_CHECKS = 3;

/**
 * Props of {@link EntityScorecardRollupCard}.
 *
 * @public
 */
export interface EntityScorecardRollupCardProps {
  /** Id of the scorecard to roll up; by default the first one. */
  scorecard?: string;
  /** The card's title; by default the scorecard's own title. */
  title?: string;
}

const useStyles = makeStyles(theme => ({
  figures: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1, 4),
    margin: theme.spacing(1.5, 0),
  },
  checks: {
    margin: theme.spacing(0.5, 0, 0),
    padding: 0,
    listStyle: 'none',
    '& > li': {
      display: 'flex',
      alignItems: 'flex-start',
      gap: theme.spacing(1),
      padding: theme.spacing(0.75, 0),
      borderTop: `1px solid ${theme.palette.divider}`,
    },
  },
}));

/**
 * The rollup card for a Group, System or Domain page: how what it owns or contains stands
 * against a scorecard (a group counting every group below it), the checks failing most, and a
 * link to the org rollup page scoped to it.
 *
 * @public
 */
export function EntityScorecardRollupCard(
  props: EntityScorecardRollupCardProps,
) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const { entity } = useEntity();
  const api = useApi(scorecardsApiRef);
  const scope = stringifyEntityRef(entity);
  const kind = entity.kind.toLocaleLowerCase('en-US');
  const pageLink = useRollupPageLink();
  const state = useAsyncRetry(
    () => api.getRollup({ by: 'check', scope, scorecard: props.scorecard }),
    [api, scope, props.scorecard],
  );
  const rollup = state.value;
  const link = pageLink?.({ scope, scorecard: props.scorecard });

  let body;
  if (state.error || !rollup) {
    body = (
      <LoadState
        what={t('page.tree.what')}
        loading={state.loading}
        error={state.error}
        hasValue={!!rollup}
        retry={state.retry}
      />
    );
  } else if (rollup && rollup.by === 'check' && rollup.summary.entities === 0) {
    body = (
      <StateMessage
        icon={<BlockIcon color="disabled" />}
        title={t('rollupCard.emptyTitle')}
        description={t('rollupCard.emptyDescription')}
      />
    );
  } else if (rollup && rollup.by === 'check') {
    const { summary } = rollup;
    const failingMost = rollup.rows
      .filter(row => row.failing > 0)
      .sort((a, b) => b.failing - a.failing || a.title.localeCompare(b.title))
      .slice(0, TOP_CHECKS);
    body = (
      <>
        <Typography variant="body2" color="textSecondary">
          {kind === 'group' && t('rollupCard.scopeGroup')}
          {kind === 'system' && t('rollupCard.scopeSystem')}
          {kind === 'domain' && t('rollupCard.scopeDomain')}
        </Typography>
        <div className={classes.figures}>
          <Figure
            value={String(summary.entities)}
            label={t('rollupCard.entities', { count: summary.entities })}
          />
          <Figure
            value={
              summary.averageScore === null ? '–' : String(summary.averageScore)
            }
            label={t('rollupCard.averageScore')}
          />
          <Figure
            value={String(summary.failing)}
            label={t('rollupCard.failing', { count: summary.failing })}
          />
        </div>
        <LevelDistribution levels={rollup.levels} counts={summary.levels} />
        <Box mt={2}>
          <Typography variant="overline" component="h5">
            {t('rollupCard.failingMost')}
          </Typography>
          {failingMost.length === 0 ? (
            <Typography variant="body2">
              {t('rollupCard.nothingFailing')}
            </Typography>
          ) : (
            <ul className={classes.checks}>
              {failingMost.map(row => (
                <li key={row.checkId}>
                  <StatusIcon status="fail" />
                  <Typography variant="body2" component="span">
                    {t('rollupCard.checkFailing', {
                      check: row.title,
                      count: row.failing,
                    })}
                  </Typography>
                </li>
              ))}
            </ul>
          )}
        </Box>
      </>
    );
  }

  return (
    <EntityInfoCard
      className="scorecards-EntityScorecardRollupCard"
      title={props.title ?? rollup?.title ?? t('card.title')}
      footerActions={
        link ? <Link to={link}>{t('rollupCard.openRollup')}</Link> : undefined
      }
    >
      {body}
    </EntityInfoCard>
  );
}

import { ANNOTATION_EDIT_URL } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  useAppSearchParams,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { EntityInfoCard } from '@backstage/plugin-catalog-react';
import type {
  EntityScorecardsResponse,
  ScorecardView,
} from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import { makeStyles } from '@material-ui/core/styles';
import Switch from '@material-ui/core/Switch';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import EditIcon from '@material-ui/icons/Edit';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import RefreshIcon from '@material-ui/icons/Refresh';
import { useEffect, useState } from 'react';
import { scorecardsApiRef } from '../../api';
import { useEntityScorecards } from '../../hooks/useEntityScorecards';
import { scorecardsTranslationRef } from '../../translation';
import { diffScorecards, type ScorecardChange } from '../shared/diff';
import { relativeTime } from '../shared/format';
import {
  needsAttention,
  orderCategories,
  readsCatalogInfo,
  worstFirst,
} from '../shared/order';
import { ScorecardGate } from '../shared/ScorecardGate';
import { NextLevel, ScoreHeadline } from '../shared/ScoreHeadline';
import { useLabels } from '../shared/useLabels';
import { CheckItem } from './CheckItem';
import { LevelLadder } from './LevelLadder';
import { ReevaluateResult } from './ReevaluateResult';
import { ScoreHistoryChart } from './ScoreHistoryChart';

/**
 * Props of {@link EntityScorecardContent}.
 *
 * @public
 */
export interface EntityScorecardContentProps {
  /** Id of the one scorecard to show; by default every scorecard that applies, one at a time. */
  scorecard?: string;
}

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(2),
  },
  list: {
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  category: {
    marginTop: theme.spacing(3),
    '&:first-of-type': { marginTop: theme.spacing(1) },
  },
  categoryHeading: {
    display: 'flex',
    alignItems: 'baseline',
    gap: theme.spacing(1.5),
  },
}));

type ReevaluateState =
  | { at: string; changes: ScorecardChange[] }
  | { error: Error }
  | undefined;

function ScorecardDetails(props: {
  response: EntityScorecardsResponse;
  scorecard: ScorecardView;
  editUrl?: string;
  onReevaluated(next: EntityScorecardsResponse): void;
}) {
  const { response, scorecard, editUrl, onReevaluated } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const labels = useLabels();
  const classes = useStyles();
  const api = useApi(scorecardsApiRef);
  const [params, setParams] = useAppSearchParams();
  const [running, setRunning] = useState(false);
  const [reevaluated, setReevaluated] = useState<ReevaluateState>();

  const failingOnly = params.get('failing') === 'true';
  const showNotApplicable = params.get('na') === 'open';
  const selectedCheck = params.get('check') ?? undefined;

  const setParam = (key: string, value: string | undefined) =>
    setParams(previous => {
      const next = new URLSearchParams(previous);
      if (value === undefined) {
        next.delete(key);
      } else {
        next.set(key, value);
      }
      return next;
    });

  const applicable = worstFirst(
    scorecard.checks.filter(c => c.status !== 'not-applicable'),
  );
  const notApplicable = scorecard.checks.filter(
    c => c.status === 'not-applicable',
  );
  const shown = failingOnly ? applicable.filter(needsAttention) : applicable;
  const categories = orderCategories(applicable.map(c => c.category));
  const fixableInCatalogInfo = applicable.some(
    c => needsAttention(c) && readsCatalogInfo(c),
  );

  useEffect(() => {
    if (selectedCheck) {
      document
        .getElementById(`check-${selectedCheck}`)
        ?.scrollIntoView?.({ block: 'start' });
    }
  }, [selectedCheck]);

  const reevaluate = async () => {
    setRunning(true);
    try {
      const next = await api.evaluateEntity(response.entityRef);
      setReevaluated({
        at: next.evaluatedAt ?? new Date().toISOString(),
        changes: diffScorecards(response, next),
      });
      onReevaluated(next);
    } catch (error) {
      setReevaluated({ error: error as Error });
    } finally {
      setRunning(false);
    }
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} lg={8}>
        <EntityInfoCard title={scorecard.title}>
          <Typography variant="body2" color="textSecondary">
            {scorecard.description}
          </Typography>
          <Box mt={2}>
            <ScoreHeadline scorecard={scorecard}>
              <Box>
                {response.evaluatedAt && (
                  <Typography variant="body2">
                    {t('time.evaluated', {
                      time: relativeTime(response.evaluatedAt),
                    })}
                  </Typography>
                )}
                {response.updatedAt && (
                  <Typography variant="caption" color="textSecondary">
                    {t('time.changed', {
                      time: relativeTime(response.updatedAt),
                    })}
                  </Typography>
                )}
              </Box>
            </ScoreHeadline>
          </Box>
          {scorecard.nextLevel && (
            <Box mt={2}>
              <NextLevel scorecard={scorecard} />
            </Box>
          )}
          <div className={classes.actions}>
            <Button
              variant="contained"
              color="primary"
              startIcon={<RefreshIcon />}
              onClick={reevaluate}
              disabled={running}
            >
              {running ? t('reevaluate.running') : t('reevaluate.action')}
            </Button>
            {editUrl && fixableInCatalogInfo && (
              <Button
                variant="outlined"
                startIcon={<EditIcon />}
                href={editUrl}
                target="_blank"
                rel="noopener"
              >
                {t('content.editCatalogInfo')}
              </Button>
            )}
          </div>
          {reevaluated && (
            <Box mt={2}>
              <ReevaluateResult result={reevaluated} />
            </Box>
          )}
        </EntityInfoCard>
      </Grid>
      <Grid item xs={12} lg={4}>
        <EntityInfoCard title={t('history.title')}>
          <ScoreHistoryChart
            entityRef={response.entityRef}
            scorecardId={scorecard.scorecardId}
            currentScore={scorecard.score}
            version={response.evaluatedAt}
          />
        </EntityInfoCard>
      </Grid>

      <Grid item xs={12}>
        <EntityInfoCard title={t('content.levels')}>
          <LevelLadder scorecard={scorecard} />
        </EntityInfoCard>
      </Grid>

      <Grid item xs={12}>
        <EntityInfoCard
          title={t('card.checks')}
          headerActions={
            <FormControlLabel
              control={
                <Switch
                  checked={failingOnly}
                  onChange={(_e, checked) =>
                    setParam('failing', checked ? 'true' : undefined)
                  }
                  color="primary"
                />
              }
              label={t('content.failingOnly')}
            />
          }
        >
          {shown.length === 0 && (
            <Typography variant="body2" role="status">
              {t('content.noFailing')}
            </Typography>
          )}
          {categories.map(category => {
            const inCategory = applicable.filter(c => c.category === category);
            const listed = shown.filter(c => c.category === category);
            if (listed.length === 0) {
              return null;
            }
            const passing = inCategory.filter(
              c => c.status === 'pass' || c.status === 'waived',
            ).length;
            return (
              <section
                key={category}
                className={classes.category}
                aria-labelledby={`category-${category}`}
              >
                <div className={classes.categoryHeading}>
                  <Typography
                    variant="h6"
                    component="h3"
                    id={`category-${category}`}
                  >
                    {labels.category(category)}
                  </Typography>
                  <Typography variant="body2" color="textSecondary">
                    {t('content.categoryProgress', {
                      passing: String(passing),
                      total: String(inCategory.length),
                    })}
                  </Typography>
                </div>
                <ul className={classes.list}>
                  {listed.map(check => (
                    <CheckItem
                      key={check.checkId}
                      check={check}
                      editUrl={editUrl}
                      selected={check.checkId === selectedCheck}
                    />
                  ))}
                </ul>
              </section>
            );
          })}

          {notApplicable.length > 0 && !failingOnly && (
            <Box mt={3}>
              <Button
                onClick={() =>
                  setParam('na', showNotApplicable ? undefined : 'open')
                }
                aria-expanded={showNotApplicable}
                aria-controls="scorecard-not-applicable"
                endIcon={
                  showNotApplicable ? <ExpandLessIcon /> : <ExpandMoreIcon />
                }
              >
                {t('content.notApplicable', {
                  count: notApplicable.length,
                })}
              </Button>
              <Typography variant="body2" color="textSecondary">
                {t('content.notApplicableHint')}
              </Typography>
              {showNotApplicable && (
                <ul className={classes.list} id="scorecard-not-applicable">
                  {notApplicable.map(check => (
                    <CheckItem
                      key={check.checkId}
                      check={check}
                      selected={check.checkId === selectedCheck}
                    />
                  ))}
                </ul>
              )}
            </Box>
          )}
        </EntityInfoCard>
      </Grid>
    </Grid>
  );
}

/**
 * The "Scorecard" tab of an entity page: for each scorecard the level ladder, the score over 90
 * days, and every check by category with its status, explanation and remediation; re-evaluate
 * now, and a link to edit `catalog-info.yaml`. Filters live in the URL.
 *
 * @public
 */
export function EntityScorecardContent(props: EntityScorecardContentProps) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const state = useEntityScorecards();
  const [params, setParams] = useAppSearchParams();
  const editUrl = state.entity.metadata.annotations?.[ANNOTATION_EDIT_URL];

  return (
    <div className="scorecards-EntityScorecardContent">
      <ScorecardGate state={state} variant="page">
        {response => {
          const scorecards = response.scorecards.filter(
            s => !props.scorecard || s.scorecardId === props.scorecard,
          );
          const selected =
            scorecards.find(s => s.scorecardId === params.get('scorecard')) ??
            scorecards[0];
          if (!selected) {
            return (
              <Typography variant="body2">
                {t('states.noSuchScorecard', {
                  scorecard: props.scorecard ?? '',
                })}
              </Typography>
            );
          }
          return (
            <>
              {scorecards.length > 1 && (
                <Box mb={2}>
                  <Tabs
                    value={selected.scorecardId}
                    onChange={(_e, value: string) =>
                      setParams(previous => {
                        const next = new URLSearchParams(previous);
                        next.set('scorecard', value);
                        next.delete('check');
                        return next;
                      })
                    }
                    aria-label={t('content.scorecardPicker')}
                    indicatorColor="primary"
                  >
                    {scorecards.map(s => (
                      <Tab
                        key={s.scorecardId}
                        value={s.scorecardId}
                        label={s.title}
                      />
                    ))}
                  </Tabs>
                </Box>
              )}
              <ScorecardDetails
                key={selected.scorecardId}
                response={response}
                scorecard={selected}
                editUrl={editUrl}
                onReevaluated={state.replace}
              />
            </>
          );
        }}
      </ScorecardGate>
    </div>
  );
}

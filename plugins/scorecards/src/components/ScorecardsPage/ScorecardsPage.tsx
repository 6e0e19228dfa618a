import { Content, Header, InfoCard, Page } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  CheckRollupRow,
  GroupRollupNode,
  RollupResponse,
} from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import { makeStyles } from '@material-ui/core/styles';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useRef } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { scorecardsApiRef } from '../../api';
import { scorecardsTranslationRef } from '../../translation';
import { Figure } from '../shared/Figure';
import { LevelDistribution } from '../shared/LevelDistribution';
import { ChecksTable } from './ChecksTable';
import { DrillDown } from './DrillDown';
import { GroupTree } from './GroupTree';
import { useGroupChildren } from './useGroupChildren';
import { Heatmap } from './Heatmap';
import { Indicators } from './Indicators';
import { LoadState } from '../shared/LoadState';
import { TrendsPanel } from './TrendsPanel';
import { useView, WINDOWS } from './useView';

/**
 * Props of {@link ScorecardsPage}.
 *
 * @public
 */
export interface ScorecardsPageProps {
  /** The page's title; by default "Scorecards". */
  title?: string;
}

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
    // On the page's grey background, the default label grey is too faint to read.
    '& label': { color: theme.palette.text.primary },
  },
  scope: { minWidth: 320 },
  select: { minWidth: 200 },
  figures: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1, 5),
    marginBottom: theme.spacing(1.5),
  },
}));

interface ScopeOption {
  ref: string;
  title: string;
  kind: string;
}

function flatten(nodes: GroupRollupNode[], into: ScopeOption[] = []) {
  for (const node of nodes) {
    into.push({ ref: node.ref, title: node.title, kind: 'Group' });
    flatten(node.children, into);
  }
  return into;
}

/**
 * The org rollup page: how the organisation, or any group, System or Domain of it, stands
 * against a scorecard: its headline indicators, the group tree, the checks failing most, the
 * trend with what moved it and the entities behind every number. Everything it shows is in its URL.
 *
 * @public
 */
export function ScorecardsPage(props: ScorecardsPageProps) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const api = useApi(scorecardsApiRef);
  const [view, change] = useView();
  const drillDown = useRef<HTMLDivElement>(null);

  const definitions = useAsyncRetry(() => api.getDefinitions(), [api]);
  const tree = useAsyncRetry(
    () =>
      // The top of the tree; deeper groups load as they are expanded.
      api.getRollup({
        by: 'group',
        scope: view.scope,
        scorecard: view.scorecard,
        depth: 1,
      }),
    [api, view.scope, view.scorecard],
  );
  const groupChildren = useGroupChildren(view.scorecard, view.expanded);
  const heatmap = useAsyncRetry(
    () =>
      api.getHeatmap({
        scope: view.scope,
        scorecard: view.scorecard,
        axis: view.axis,
      }),
    [api, view.scope, view.scorecard, view.axis],
  );
  const checks = useAsyncRetry(
    () =>
      api.getRollup({
        by: 'check',
        scope: view.scope,
        scorecard: view.scorecard,
      }),
    [api, view.scope, view.scorecard],
  );
  const [scopes, loadScopes] = useAsyncFn(async () => {
    const [groups, systems, domains] = await Promise.all(
      (['group', 'system', 'domain'] as const).map(by =>
        api.getRollup({ by, scorecard: view.scorecard }),
      ),
    );
    const options: ScopeOption[] =
      groups.by === 'group' ? flatten(groups.groups) : [];
    for (const [answer, kind] of [
      [systems, 'System'],
      [domains, 'Domain'],
    ] as const) {
      if (answer.by === 'system' || answer.by === 'domain') {
        for (const row of answer.rows) {
          options.push({ ref: row.ref, title: row.title ?? row.ref, kind });
        }
      }
    }
    return options;
  }, [api, view.scorecard]);

  const rollup: RollupResponse | undefined = tree.value;
  const checkRows: CheckRollupRow[] =
    checks.value?.by === 'check' ? checks.value.rows : [];
  const scorecards = definitions.value?.scorecards ?? [];
  const scorecardId = rollup?.scorecardId ?? view.scorecard ?? '';

  const showDrillDown = () =>
    drillDown.current?.scrollIntoView?.({ behavior: 'smooth' });
  const showFailing = (checkId: string) => {
    change({ check: checkId });
    showDrillDown();
  };

  return (
    <Page themeId="tool">
      <Header
        title={props.title ?? t('page.title')}
        subtitle={t('page.subtitle')}
      />
      <Content className="scorecards-ScorecardsPage">
        <div className={classes.bar}>
          <TextField
            select
            id="scorecards-scorecard"
            label={t('page.scorecard')}
            value={scorecardId}
            onChange={e => change({ scorecard: e.target.value })}
            className={classes.select}
            disabled={scorecards.length < 2}
          >
            {scorecards.length === 0 && scorecardId && (
              <MenuItem value={scorecardId}>{rollup?.title}</MenuItem>
            )}
            {scorecards.map(s => (
              <MenuItem key={s.id} value={s.id}>
                {s.title}
              </MenuItem>
            ))}
          </TextField>
          <Autocomplete
            id="scorecards-scope"
            className={classes.scope}
            options={scopes.value ?? []}
            loading={scopes.loading}
            onOpen={() => {
              if (!scopes.value && !scopes.loading) loadScopes();
            }}
            groupBy={o => o.kind}
            getOptionLabel={o => o.title}
            getOptionSelected={(o, v) => o.ref === v.ref}
            value={null}
            onChange={(_e, option) => option && change({ scope: option.ref })}
            renderInput={params => (
              <TextField
                {...params}
                label={t('page.scopePicker')}
                placeholder={t('page.scopePlaceholder')}
                InputLabelProps={{ shrink: true }}
              />
            )}
          />
          <TextField
            select
            id="scorecards-window"
            label={t('page.window')}
            value={view.window}
            onChange={e => change({ window: e.target.value })}
            className={classes.select}
          >
            {WINDOWS.map(days => (
              <MenuItem key={days} value={days}>
                {t('page.windowDays', { days })}
              </MenuItem>
            ))}
          </TextField>
        </div>

        <Box mb={2} display="flex" alignItems="center" style={{ gap: 8 }}>
          <Typography variant="h5" component="h2">
            {view.scope === 'all' ? (
              t('page.scopeAll')
            ) : (
              <>
                {t('page.scopeLabel')} <EntityRefLink entityRef={view.scope} />
              </>
            )}
          </Typography>
          {view.scope !== 'all' && (
            <Button size="small" onClick={() => change({ scope: undefined })}>
              {t('page.scopeReset')}
            </Button>
          )}
        </Box>

        <Grid container spacing={3}>
          <Grid item xs={12}>
            <section aria-label={t('page.indicators.title')}>
              <InfoCard title={t('page.indicators.title')}>
                <Indicators scope={view.scope} />
              </InfoCard>
            </section>
          </Grid>

          <Grid item xs={12}>
            <InfoCard title={rollup?.title ?? t('page.summary')}>
              <LoadState
                what={t('page.tree.what')}
                loading={tree.loading}
                error={tree.error}
                hasValue={!!rollup}
                retry={tree.retry}
              />
              {rollup && !tree.error && rollup.summary.entities === 0 && (
                <Typography variant="body1">{t('page.emptyScope')}</Typography>
              )}
              {rollup && !tree.error && rollup.summary.entities > 0 && (
                <>
                  <div className={classes.figures}>
                    <Figure
                      size="large"
                      value={String(rollup.summary.entities)}
                      label={t('rollupCard.entities', {
                        count: rollup.summary.entities,
                      })}
                    />
                    <Figure
                      size="large"
                      value={String(rollup.summary.averageScore ?? '–')}
                      label={t('rollupCard.averageScore')}
                    />
                    <Figure
                      size="large"
                      value={String(rollup.summary.failing)}
                      label={t('rollupCard.failing', {
                        count: rollup.summary.failing,
                      })}
                    />
                  </div>
                  <LevelDistribution
                    levels={rollup.levels}
                    counts={rollup.summary.levels}
                  />
                </>
              )}
            </InfoCard>
          </Grid>

          <Grid item xs={12}>
            <InfoCard title={t('page.trends.title')}>
              {rollup && (
                <TrendsPanel
                  scorecard={view.scorecard}
                  scope={view.scope}
                  window={view.window}
                  levels={rollup.levels}
                />
              )}
            </InfoCard>
          </Grid>

          {rollup?.by === 'group' && rollup.summary.entities > 0 && (
            <Grid item xs={12}>
              <InfoCard title={t('page.tree.title')} noPadding>
                <GroupTree
                  roots={rollup.groups}
                  levels={rollup.levels}
                  expanded={view.expanded}
                  childrenOf={groupChildren.childrenOf}
                  onRetry={groupChildren.retry}
                  onToggle={(ref, open) =>
                    change({
                      expanded: open
                        ? [...view.expanded, ref]
                        : view.expanded.filter(r => r !== ref),
                    })
                  }
                  onScope={ref => change({ scope: ref, expanded: undefined })}
                />
                <Box px={2} py={1}>
                  <Typography variant="body2" color="textSecondary">
                    {t('page.tree.outside', {
                      users: String(rollup.ownedByUsers.entities),
                      unowned: String(rollup.unowned.entities),
                    })}
                  </Typography>
                </Box>
              </InfoCard>
            </Grid>
          )}

          <Grid item xs={12}>
            <InfoCard
              title={t('page.heatmap.title')}
              subheader={t('page.heatmap.legend')}
              action={
                <TextField
                  select
                  id="scorecards-heatmap-axis"
                  label={t('page.heatmap.axis')}
                  value={view.axis}
                  onChange={e => change({ axis: e.target.value })}
                  className={classes.select}
                >
                  <MenuItem value="check">
                    {t('page.heatmap.axisCheck')}
                  </MenuItem>
                  <MenuItem value="category">
                    {t('page.heatmap.axisCategory')}
                  </MenuItem>
                </TextField>
              }
            >
              <LoadState
                what={t('page.heatmap.what')}
                loading={heatmap.loading}
                error={heatmap.error}
                hasValue={!!heatmap.value}
                retry={heatmap.retry}
              />
              {heatmap.value && !heatmap.error && (
                <Heatmap
                  heatmap={heatmap.value}
                  onOpen={(row, cell) => {
                    change({
                      scope: row,
                      expanded: undefined,
                      check:
                        heatmap.value?.axis === 'check'
                          ? cell.column
                          : undefined,
                    });
                    showDrillDown();
                  }}
                />
              )}
            </InfoCard>
          </Grid>

          <Grid item xs={12}>
            <InfoCard title={t('page.checks.title')} noPadding>
              <LoadState
                what={t('page.checks.what')}
                loading={checks.loading}
                error={checks.error}
                hasValue={!!checks.value}
                retry={checks.retry}
              />
              {checks.value && !checks.error && (
                <ChecksTable rows={checkRows} onShowFailing={showFailing} />
              )}
            </InfoCard>
          </Grid>

          <Grid item xs={12}>
            <div ref={drillDown}>
              <InfoCard title={t('page.drill.title')}>
                {rollup && (
                  <DrillDown
                    view={view}
                    change={change}
                    scorecardId={scorecardId}
                    levels={rollup.levels}
                    checks={checkRows}
                  />
                )}
              </InfoCard>
            </div>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}

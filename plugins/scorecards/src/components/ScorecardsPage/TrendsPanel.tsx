import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  CheckStatus,
  MoverCause,
  NewTrendEntity,
  TeamMover,
  TrendMover,
  TrendsResponse,
} from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { DateTime } from 'luxon';
import { memo, useId, useMemo, type ReactNode } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Area,
  AreaChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { scorecardsApiRef } from '../../api';
import { useRollupPageLink } from '../../hooks/useRollupPageLink';
import { scorecardsTranslationRef } from '../../translation';
import { levelColor } from '../shared/LevelBadge';
import { LevelDistribution } from '../shared/LevelDistribution';
import { formatDate } from '../shared/format';
import { LoadState } from '../shared/LoadState';
import { statusKey } from '../shared/statusKey';
import type { View } from './useView';

/** The step between points: a day, or a week for a year. */
function intervalOf(window: View['window']) {
  return window === '365' ? 'P1W' : 'P1D';
}

/** In words: how the average score moved between the first and the last point. */
export function trendDirection(trends: TrendsResponse):
  | {
      from: number;
      to: number;
      change: number;
      /** When the first score came after the window's start: its time. */
      since?: string;
    }
  | undefined {
  const scored = trends.points.filter(p => p.averageScore !== null);
  const first = scored[0];
  const last = scored[scored.length - 1];
  if (!first || !last) return undefined;
  const from = first.averageScore!;
  const to = last.averageScore!;
  return {
    from,
    to,
    change: Math.round((to - from) * 10) / 10,
    ...(first !== trends.points[0] && { since: first.at }),
  };
}

/** How many of a list's causes each mover shows; the rest are counted. */
const CAUSES_SHOWN = 3;

/** A titled part of the movers: a heading, and the region it names. */
function MoverSection(props: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <Box component="section" aria-labelledby={id} mt={1}>
      <Typography variant="subtitle2" component="h4" id={id}>
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}

/** A short list under a mover; what does not fit is counted. */
function Causes(props: { items: string[]; label: string }) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  if (props.items.length === 0) return null;
  const shown = props.items.slice(0, CAUSES_SHOWN);
  const more = props.items.length - shown.length;
  return (
    <Box component="ul" pl={2} my={0} aria-label={props.label}>
      {shown.map((item, index) => (
        <li key={index}>
          <Typography variant="caption" color="textSecondary">
            {item}
          </Typography>
        </li>
      ))}
      {more > 0 && (
        <li>
          <Typography variant="caption" color="textSecondary">
            {t('page.drill.andMore', { count: more })}
          </Typography>
        </li>
      )}
    </Box>
  );
}

function useCauseText() {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const status = (value: CheckStatus) => t(`status.${statusKey(value)}`);
  return (cause: MoverCause): string => {
    if (cause.from === null && cause.to !== null) {
      return t('page.trends.causeApplies', {
        check: cause.title,
        to: status(cause.to),
      });
    }
    if (cause.to === null && cause.from !== null) {
      return t('page.trends.causeGone', {
        check: cause.title,
        from: status(cause.from),
      });
    }
    return t('page.trends.cause', {
      check: cause.title,
      from: cause.from === null ? '–' : status(cause.from),
      to: cause.to === null ? '–' : status(cause.to),
    });
  };
}

function Movers(props: { title: string; movers: TrendMover[]; empty: string }) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const causeText = useCauseText();
  return (
    <MoverSection title={props.title}>
      {props.movers.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {props.empty}
        </Typography>
      ) : (
        <Box component="ol" pl={2.5} my={0.5}>
          {props.movers.map(m => (
            <li key={m.entityRef} data-ref={m.entityRef}>
              <Typography variant="body2" component="span">
                <EntityRefLink entityRef={m.entityRef} />
                {' · '}
                {t('page.trends.moved', {
                  from: String(m.fromScore ?? '–'),
                  to: String(m.toScore ?? '–'),
                })}
                {m.fromLevel !== m.toLevel &&
                  ` · ${t('page.trends.levelMoved', {
                    from: m.fromLevel ?? t('level.none'),
                    to: m.toLevel ?? t('level.none'),
                  })}`}
              </Typography>
              {/* Absent from an older backend's answer. */}
              {m.causes && (
                <Causes
                  label={t('page.trends.causesOf', { entity: m.entityRef })}
                  items={m.causes.map(causeText)}
                />
              )}
            </li>
          ))}
        </Box>
      )}
    </MoverSection>
  );
}

function TeamMovers(props: {
  title: string;
  teams: TeamMover[];
  empty: string;
  link: (ref: string) => string | undefined;
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  return (
    <MoverSection title={props.title}>
      {props.teams.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {props.empty}
        </Typography>
      ) : (
        <Box component="ol" pl={2.5} my={0.5}>
          {props.teams.map(team => {
            const href = props.link(team.ref);
            const causes = (team.causes ?? []).flatMap(cause => [
              ...(cause.regressed > 0
                ? [
                    t('page.trends.teamRegressed', {
                      count: cause.regressed,
                      check: cause.title,
                    }),
                  ]
                : []),
              ...(cause.improved > 0
                ? [
                    t('page.trends.teamImproved', {
                      count: cause.improved,
                      check: cause.title,
                    }),
                  ]
                : []),
            ]);
            return (
              <li key={team.ref} data-ref={team.ref}>
                <Typography variant="body2" component="span">
                  {href ? (
                    <Link
                      to={href}
                      aria-label={t('page.trends.scopeToTeam', {
                        team: team.title,
                      })}
                    >
                      {team.title}
                    </Link>
                  ) : (
                    team.title
                  )}
                  {' · '}
                  {t('page.trends.teamMoved', {
                    from: String(team.fromScore),
                    to: String(team.toScore),
                    count: team.entities,
                  })}
                </Typography>
                <Causes
                  label={t('page.trends.causesOf', { entity: team.title })}
                  items={causes}
                />
              </li>
            );
          })}
        </Box>
      )}
    </MoverSection>
  );
}

function NewEntities(props: { entities: NewTrendEntity[]; total: number }) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const more = props.total - props.entities.length;
  return (
    <MoverSection title={t('page.trends.newTitle')}>
      <Typography variant="body2">
        {props.total === 0
          ? t('page.trends.noneNew')
          : t('page.trends.newCount', { count: props.total })}
      </Typography>
      {props.entities.length > 0 && (
        <Box component="ul" pl={2.5} my={0.5}>
          {props.entities.map(e => (
            <li key={e.entityRef} data-ref={e.entityRef}>
              <Typography variant="body2" component="span">
                <EntityRefLink entityRef={e.entityRef} />
                {' · '}
                {t('page.trends.newScored', {
                  date: formatDate(e.at),
                  score: String(e.score ?? '–'),
                  level: e.level ?? t('level.none'),
                })}
              </Typography>
            </li>
          ))}
          {more > 0 && (
            <li>
              <Typography variant="body2" color="textSecondary">
                {t('page.drill.andMore', { count: more })}
              </Typography>
            </li>
          )}
        </Box>
      )}
    </MoverSection>
  );
}

/**
 * The scope's average score and level distribution over the window, with the days the
 * scorecard's definitions changed marked; the entities that moved most by their own doing, each
 * with the checks that moved it; the teams whose average moved most, with the checks behind it;
 * and the entities that appeared. A backend that does not give causes, teams or new entities
 * yet leaves those out.
 */
// Kept from rendering again while only the drill-down's filters change.
export const TrendsPanel = memo(function TrendsPanelView(props: {
  scorecard?: string;
  scope: string;
  window: View['window'];
  levels: string[];
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const api = useApi(scorecardsApiRef);
  const theme = useTheme();
  const pageLink = useRollupPageLink();
  const teamLink = (ref: string) =>
    pageLink?.({
      scope: ref,
      scorecard: props.scorecard,
      window: props.window === '90' ? undefined : props.window,
    });
  // The window ends when the page opens; a new window or scope keeps that end.
  const to = useMemo(() => DateTime.now(), []);
  const from = to.minus({ days: Number(props.window) });
  const state = useAsyncRetry(
    () =>
      api.getTrends({
        scorecard: props.scorecard,
        scope: props.scope,
        from: from.toJSDate(),
        to: to.toJSDate(),
        interval: intervalOf(props.window),
      }),
    [api, props.scorecard, props.scope, props.window, to.toMillis()],
  );
  const trends = state.value;
  const data = useMemo(
    () =>
      (trends?.points ?? []).map(p => ({
        at: Date.parse(p.at),
        averageScore: p.averageScore,
        definitionsChanged: p.definitionsChanged,
        none: p.levels.none ?? 0,
        ...Object.fromEntries(props.levels.map(l => [l, p.levels[l] ?? 0])),
      })),
    [trends, props.levels],
  );

  const loadState = (
    <LoadState
      what={t('page.trends.what')}
      loading={state.loading}
      error={state.error}
      hasValue={!!trends}
      retry={state.retry}
    />
  );
  if (!trends || state.error) return loadState;

  const direction = trendDirection(trends);
  const latest = trends.points[trends.points.length - 1];
  const changes = data.filter(d => d.definitionsChanged);
  let summary: string = t('page.trends.noScores');
  if (direction) {
    const values = {
      days: props.window,
      from: String(direction.from),
      to: String(direction.to),
      change: String(Math.abs(direction.change)),
      date: direction.since ? formatDate(direction.since) : '',
    };
    const since = direction.since ? 'Since' : '';
    if (direction.change > 0) summary = t(`page.trends.up${since}`, values);
    else if (direction.change < 0)
      summary = t(`page.trends.down${since}`, values);
    else summary = t(`page.trends.flat${since}`, values);
  }
  const axis = {
    tick: { fontSize: 11, fill: theme.palette.text.secondary },
  };
  const xAxis = (
    <XAxis
      dataKey="at"
      type="number"
      scale="time"
      domain={[from.toMillis(), to.toMillis()]}
      tickFormatter={(value: number) =>
        DateTime.fromMillis(value).toFormat('d LLL')
      }
      tickCount={6}
      {...axis}
    />
  );
  const markers = changes.map(c => (
    <ReferenceLine
      key={c.at}
      x={c.at}
      stroke={theme.palette.text.secondary}
      strokeDasharray="4 2"
    />
  ));
  const tooltip = (
    <Tooltip
      labelFormatter={(value: unknown) =>
        formatDate(new Date(Number(value)).toISOString())
      }
    />
  );

  return (
    <div>
      <Typography variant="body1">{summary}</Typography>
      {changes.length > 0 && (
        <Typography variant="body2" color="textSecondary">
          {t('page.trends.definitionsChanged', {
            dates: changes
              .map(c => formatDate(new Date(c.at).toISOString()))
              .join(', '),
          })}
        </Typography>
      )}
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <Box component="figure" m={0} mt={1}>
            <Typography variant="caption" component="figcaption">
              {t('page.trends.scoreChart')}
            </Typography>
            <Box height={160} aria-hidden>
              <ResponsiveContainer width="100%" height="100%">
                <LineChart
                  data={data}
                  margin={{ top: 8, right: 8, bottom: 0, left: -24 }}
                  accessibilityLayer={false}
                >
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  {xAxis}
                  <YAxis domain={[0, 100]} ticks={[0, 50, 100]} {...axis} />
                  {tooltip}
                  {markers}
                  <Line
                    dataKey="averageScore"
                    name={t('page.tree.averageScore')}
                    stroke={theme.palette.primary.main}
                    strokeWidth={2}
                    dot={data.filter(d => d.averageScore !== null).length <= 4}
                    isAnimationActive={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            </Box>
          </Box>
        </Grid>
        <Grid item xs={12} md={6}>
          <Box component="figure" m={0} mt={1}>
            <Typography variant="caption" component="figcaption">
              {t('page.trends.levelChart')}
            </Typography>
            <Box height={160} aria-hidden>
              <ResponsiveContainer width="100%" height="100%">
                <AreaChart
                  data={data}
                  margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
                  accessibilityLayer={false}
                >
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  {xAxis}
                  <YAxis {...axis} />
                  {tooltip}
                  {markers}
                  <Area
                    dataKey="none"
                    name={t('level.none')}
                    stackId="levels"
                    stroke="#9e9e9e"
                    fill="#9e9e9e"
                    isAnimationActive={false}
                  />
                  {props.levels.map((level, index) => (
                    <Area
                      key={level}
                      dataKey={level}
                      name={level}
                      stackId="levels"
                      stroke={levelColor(index)}
                      fill={levelColor(index)}
                      isAnimationActive={false}
                    />
                  ))}
                </AreaChart>
              </ResponsiveContainer>
            </Box>
            {latest && (
              <LevelDistribution
                levels={props.levels}
                counts={latest.levels}
                compact
              />
            )}
          </Box>
        </Grid>
      </Grid>
      {/* Teams first, then entities: who needs help, then where. */}
      <Grid container spacing={2}>
        {/* Absent from an older backend's answer, whatever the types say. */}
        {trends.teams && (
          <>
            <Grid item xs={12} md={6} lg={3}>
              <TeamMovers
                title={t('page.trends.teamsRegressed')}
                teams={trends.teams.regressed}
                empty={t('page.trends.noTeamRegressed')}
                link={teamLink}
              />
            </Grid>
            <Grid item xs={12} md={6} lg={3}>
              <TeamMovers
                title={t('page.trends.teamsImproved')}
                teams={trends.teams.improved}
                empty={t('page.trends.noTeamImproved')}
                link={teamLink}
              />
            </Grid>
          </>
        )}
        <Grid item xs={12} md={6} lg={3}>
          <Movers
            title={t('page.trends.regressed')}
            movers={trends.regressed}
            empty={t('page.trends.noneRegressed')}
          />
        </Grid>
        <Grid item xs={12} md={6} lg={3}>
          <Movers
            title={t('page.trends.improved')}
            movers={trends.improved}
            empty={t('page.trends.noneImproved')}
          />
        </Grid>
        {trends.new && (
          <Grid item xs={12}>
            <NewEntities
              entities={trends.new.entities}
              total={trends.new.total}
            />
          </Grid>
        )}
      </Grid>
    </div>
  );
});

import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { HistoryEvent } from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { DateTime } from 'luxon';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { scorecardsApiRef } from '../../api';
import { scorecardsTranslationRef } from '../../translation';
import { formatDate } from '../shared/format';
import { useSharedStyles } from '../shared/styles';

const WINDOW_DAYS = 90;

/** One point of the score line: the score from `at` until the next point. */
export interface ScorePoint {
  at: number;
  score: number;
}

/**
 * The score over a window, from the history's scorecard events (newest first, as the API
 * gives them): the score before the first change in the window, each change, and now. An entity
 * that first appeared inside the window starts there.
 */
export function scorePoints(
  events: HistoryEvent[],
  scorecardId: string,
  currentScore: number,
  from: number,
  to: number,
): ScorePoint[] {
  const changes = events
    .filter(
      (e): e is Extract<HistoryEvent, { type: 'scorecard' }> =>
        e.type === 'scorecard' && e.scorecardId === scorecardId,
    )
    .map(e => ({ ...e, time: Date.parse(e.at) }))
    .filter(e => e.time >= from && e.time <= to)
    .sort((a, b) => a.time - b.time);
  const points: ScorePoint[] = [];
  const first = changes[0];
  if (!first) {
    points.push({ at: from, score: currentScore });
  } else if (first.previousScore !== undefined) {
    points.push({ at: from, score: first.previousScore });
  }
  for (const change of changes) {
    points.push({ at: change.time, score: change.score });
  }
  points.push({ at: to, score: currentScore });
  return points;
}

/** A small chart of the entity's score over the last 90 days, with its gist in words. */
export function ScoreHistoryChart(props: {
  entityRef: string;
  scorecardId: string;
  currentScore: number;
  /** Changes whenever the entity is re-evaluated, so the chart reloads. */
  version?: string;
}) {
  const { entityRef, scorecardId, currentScore, version } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const api = useApi(scorecardsApiRef);
  const theme = useTheme();
  const shared = useSharedStyles();
  const to = useMemo(() => DateTime.now(), [version]); // eslint-disable-line react-hooks/exhaustive-deps
  const from = to.minus({ days: WINDOW_DAYS });
  const history = useAsync(
    () =>
      api.getEntityHistory(entityRef, {
        from: from.toJSDate(),
        to: to.toJSDate(),
      }),
    [api, entityRef, to.toMillis()],
  );

  const points = history.value
    ? scorePoints(
        history.value.events,
        scorecardId,
        currentScore,
        from.toMillis(),
        to.toMillis(),
      )
    : [];
  const start = points[0];
  let summary = '';
  if (start) {
    const date = formatDate(new Date(start.at).toISOString());
    const unchanged = points.every(p => p.score === start.score);
    const partial = start.at > from.toMillis();
    const values = {
      date,
      score: String(start.score),
      from: String(start.score),
      to: String(currentScore),
    };
    if (partial && unchanged) {
      summary = t('history.sinceUnchanged', values);
    } else if (partial) {
      summary = t('history.sinceChanged', values);
    } else if (unchanged) {
      summary = t('history.unchanged', values);
    } else {
      summary = t('history.changed', values);
    }
  }

  return (
    <Box component="figure" m={0}>
      <figcaption className={shared.srOnly}>{t('history.title')}</figcaption>
      {history.loading && (
        <Typography variant="body2" color="textSecondary" role="status">
          {t('history.loading')}
        </Typography>
      )}
      {history.error && (
        <Typography variant="body2" color="error" role="alert">
          {t('history.error', { message: history.error.message })}
        </Typography>
      )}
      {history.value && (
        <>
          <Box height={140} aria-hidden>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart
                data={points}
                margin={{ top: 8, right: 8, bottom: 0, left: -24 }}
                accessibilityLayer={false}
              >
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis
                  dataKey="at"
                  type="number"
                  scale="time"
                  domain={[from.toMillis(), to.toMillis()]}
                  tickFormatter={(value: number) =>
                    DateTime.fromMillis(value).toFormat('d LLL')
                  }
                  tick={{ fontSize: 11, fill: theme.palette.text.secondary }}
                  tickCount={4}
                />
                <YAxis
                  domain={[0, 100]}
                  ticks={[0, 50, 100]}
                  tick={{ fontSize: 11, fill: theme.palette.text.secondary }}
                />
                <Tooltip
                  labelFormatter={(value: unknown) =>
                    formatDate(new Date(Number(value)).toISOString())
                  }
                />
                <Line
                  type="stepAfter"
                  dataKey="score"
                  stroke={theme.palette.primary.main}
                  strokeWidth={2}
                  dot={points.length <= 4}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </Box>
          <Typography variant="body2" color="textSecondary">
            {summary}
          </Typography>
        </>
      )}
    </Box>
  );
}

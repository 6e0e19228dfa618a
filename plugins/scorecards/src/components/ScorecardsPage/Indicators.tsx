import { memo } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { IndicatorResult } from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import InfoOutlinedIcon from '@material-ui/icons/InfoOutlined';
import TrendingDownIcon from '@material-ui/icons/TrendingDown';
import TrendingFlatIcon from '@material-ui/icons/TrendingFlat';
import TrendingUpIcon from '@material-ui/icons/TrendingUp';
import { DateTime } from 'luxon';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { scorecardsApiRef } from '../../api';
import { scorecardsTranslationRef } from '../../translation';
import { LoadState } from '../shared/LoadState';
import { StateMessage } from '../shared/StateMessage';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))',
    gap: theme.spacing(2),
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(1.5, 2),
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  value: { fontVariantNumeric: 'tabular-nums' },
  change: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  better: { color: theme.palette.success.dark },
  worse: { color: theme.palette.error.dark },
  same: { color: theme.palette.text.secondary },
  help: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
    marginTop: 'auto',
    paddingTop: theme.spacing(0.5),
  },
  helpIcon: { fontSize: 16, marginTop: 2 },
}));

/**
 * Whether an error says the backend has no such endpoint (an older backend), rather than that
 * something it was asked about does not exist: the backend names the latter a `NotFoundError`.
 */
export function isMissingEndpoint(error: Error): boolean {
  const answer = error as {
    response?: { status?: number };
    body?: { error?: { name?: string } };
  };
  return (
    answer.response?.status === 404 &&
    answer.body?.error?.name !== 'NotFoundError'
  );
}

/** How a value reads: a share as a percentage, a fact's aggregate with its unit. */
function formatValue(indicator: IndicatorResult, value: number): string {
  if (indicator.measure.type !== 'fact') return `${value}%`;
  const number = value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  return indicator.measure.unit
    ? `${number} ${indicator.measure.unit}`
    : number;
}

/**
 * How much a value moved, and whether that is for the better: compared with 30 days ago, in
 * words, so the direction never rests on an arrow or a colour.
 */
export function changeOf(
  indicator: IndicatorResult,
): { direction: 'up' | 'down' | 'flat'; better?: boolean } | undefined {
  const { change } = indicator;
  if (change === null || indicator.now.value === null) return undefined;
  if (change === 0) return { direction: 'flat' };
  const direction = change > 0 ? 'up' : 'down';
  return {
    direction,
    better: (direction === 'up') === indicator.higherIsBetter,
  };
}

function IndicatorItem(props: { indicator: IndicatorResult }) {
  const { indicator } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const { measure, now, before } = indicator;
  const id = `scorecards-indicator-${indicator.id}`;

  let counted: string;
  if (now.value === null) {
    counted = t('page.indicators.nothingCounted');
  } else if (measure.type === 'fact') {
    counted = t('page.indicators.fact', {
      aggregate: t(`page.indicators.aggregate.${measure.aggregate}`),
      count: now.entities,
    });
  } else if (now.meeting === undefined) {
    counted = t('page.indicators.counted', { count: now.entities });
  } else {
    counted = t('page.indicators.share', {
      meeting: String(now.meeting),
      count: now.entities,
    });
  }

  const moved = changeOf(indicator);
  let changeText: string | undefined;
  if (moved && before.value !== null && indicator.change !== null) {
    const amount = Math.abs(indicator.change);
    const values = {
      change:
        measure.type === 'fact'
          ? formatValue(indicator, amount)
          : t('page.indicators.points', { count: amount }),
      before: formatValue(indicator, before.value),
    };
    if (moved.direction === 'flat') {
      changeText = t('page.indicators.flat');
    } else {
      const key = `${moved.direction}${moved.better ? 'Better' : 'Worse'}` as
        | 'upBetter'
        | 'upWorse'
        | 'downBetter'
        | 'downWorse';
      changeText = t(`page.indicators.${key}`, values);
    }
  } else if (now.value !== null) {
    changeText = t('page.indicators.noBefore');
  }
  let ChangeIcon = TrendingFlatIcon;
  if (moved?.direction === 'up') ChangeIcon = TrendingUpIcon;
  if (moved?.direction === 'down') ChangeIcon = TrendingDownIcon;
  let tone = classes.same;
  if (moved?.better === true) tone = classes.better;
  if (moved?.better === false) tone = classes.worse;

  let freshness: string | undefined;
  if (indicator.freshness?.oldestObservedAt) {
    const age = DateTime.fromISO(now.at).diff(
      DateTime.fromISO(indicator.freshness.oldestObservedAt),
    );
    const hours = Math.max(1, Math.ceil(age.as('hours')));
    const within =
      hours < 24
        ? t('page.indicators.freshHours', { count: hours })
        : t('page.indicators.freshDays', { count: Math.ceil(hours / 24) });
    freshness = t('page.indicators.freshness', {
      within,
      stale:
        indicator.freshness.stale > 0
          ? t('page.indicators.stale', { count: indicator.freshness.stale })
          : t('page.indicators.allFresh'),
    });
  }

  return (
    <li className={classes.item} aria-labelledby={id}>
      <Typography variant="subtitle1" component="h3" id={id}>
        {indicator.title}
      </Typography>
      <Typography variant="h4" component="p" className={classes.value}>
        {now.value === null ? '–' : formatValue(indicator, now.value)}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {counted}
      </Typography>
      {changeText && (
        <Typography variant="body2" component="p" className={classes.change}>
          {moved && (
            <ChangeIcon fontSize="small" className={tone} aria-hidden />
          )}
          <span>{changeText}</span>
        </Typography>
      )}
      {measure.type === 'fact' && (
        <Typography variant="caption" color="textSecondary" component="p">
          {t(
            indicator.higherIsBetter
              ? 'page.indicators.higherIsBetter'
              : 'page.indicators.lowerIsBetter',
          )}
          {freshness && ` · ${freshness}`}
        </Typography>
      )}
      {indicator.description && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          className={classes.help}
        >
          <InfoOutlinedIcon className={classes.helpIcon} aria-hidden />
          <span>{indicator.description}</span>
        </Typography>
      )}
    </li>
  );
}

/**
 * The scope's headline indicators: each one's value now, what it counts, how it moved in 30
 * days and whether that is better or worse, how fresh a fact's values are, and what it means.
 */
// Kept from rendering again while only the drill-down's filters change.
export const Indicators = memo(function IndicatorsView(props: {
  scope: string;
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const api = useApi(scorecardsApiRef);
  const state = useAsyncRetry(
    () => api.getIndicators({ scope: props.scope }),
    [api, props.scope],
  );

  if (state.error && isMissingEndpoint(state.error)) {
    return (
      <Typography variant="body2" color="textSecondary">
        {t('page.indicators.unavailable')}
      </Typography>
    );
  }
  if (!state.value || state.error) {
    return (
      <LoadState
        what={t('page.indicators.what')}
        loading={state.loading}
        error={state.error}
        hasValue={!!state.value}
        retry={state.retry}
      />
    );
  }
  const { indicators } = state.value;
  if (indicators.length === 0) {
    return (
      <StateMessage
        icon={<InfoOutlinedIcon color="action" />}
        title={t('page.indicators.emptyTitle')}
        description={t('page.indicators.emptyDescription')}
      />
    );
  }
  return (
    <Box>
      <ul className={classes.list}>
        {indicators.map(indicator => (
          <IndicatorItem key={indicator.id} indicator={indicator} />
        ))}
      </ul>
    </Box>
  );
});

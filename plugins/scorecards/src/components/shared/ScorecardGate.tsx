import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { EntityScorecardsResponse } from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import BlockIcon from '@material-ui/icons/Block';
import HourglassEmptyIcon from '@material-ui/icons/HourglassEmpty';
import SearchIcon from '@material-ui/icons/Search';
import { useState, type ReactNode } from 'react';
import { scorecardsApiRef } from '../../api';
import { scorecardsTranslationRef } from '../../translation';
import { StateMessage } from './StateMessage';

/** What {@link ScorecardGate} needs from `useEntityScorecards`. */
export interface ScorecardsState {
  entityRef: string;
  loading: boolean;
  error?: Error;
  value?: EntityScorecardsResponse;
  replace(next: EntityScorecardsResponse): void;
  reload(): void;
}

/** The backend's own message for a failed request, or the error's. */
export function errorMessage(error: Error): string {
  return (
    (error as { body?: { error?: { message?: string } } }).body?.error
      ?.message ?? error.message
  );
}

function isNotFound(error: Error): boolean {
  return (
    error.name === 'NotFoundError' ||
    (error as { response?: { status?: number } }).response?.status === 404
  );
}

/**
 * Shows every state of an entity's scorecards but the one with results: loading, an error with
 * a retry, an entity the caller may not read, "not evaluated yet" (with a way to evaluate it
 * now) and "no scorecard applies". Renders its children once there are results.
 */
export function ScorecardGate(props: {
  state: ScorecardsState;
  variant: 'card' | 'page';
  children: (value: EntityScorecardsResponse) => ReactNode;
}) {
  const { state, variant } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const api = useApi(scorecardsApiRef);
  const [evaluating, setEvaluating] = useState(false);
  const [evaluateError, setEvaluateError] = useState<Error>();

  if (state.loading) {
    return (
      <Box py={2} role="status" aria-label={t('states.loading')}>
        <Progress />
      </Box>
    );
  }

  if (state.error) {
    if (isNotFound(state.error)) {
      return (
        <StateMessage
          icon={<SearchIcon color="disabled" />}
          title={t('states.notFoundTitle')}
          description={t('states.notFoundDescription')}
        />
      );
    }
    const retry = (
      <Button variant="outlined" size="small" onClick={state.reload}>
        {t('states.retry')}
      </Button>
    );
    return variant === 'page' ? (
      <Box>
        <ResponseErrorPanel
          error={state.error}
          title={t('states.errorTitle')}
        />
        <Box mt={1}>{retry}</Box>
      </Box>
    ) : (
      <StateMessage
        icon={<BlockIcon color="error" />}
        title={t('states.errorTitle')}
        description={errorMessage(state.error)}
        action={retry}
      />
    );
  }

  const value = state.value;
  if (!value) {
    return null;
  }

  if (value.status === 'not-evaluated') {
    const evaluate = async () => {
      setEvaluating(true);
      setEvaluateError(undefined);
      try {
        state.replace(await api.evaluateEntity(state.entityRef));
      } catch (error) {
        setEvaluateError(error as Error);
      } finally {
        setEvaluating(false);
      }
    };
    return (
      <StateMessage
        icon={<HourglassEmptyIcon color="action" />}
        title={t('states.notEvaluatedTitle')}
        description={
          <>
            {t('states.notEvaluatedDescription')}
            {evaluateError && (
              <Typography variant="body2" color="error" role="alert">
                {t('reevaluate.failed', {
                  message: errorMessage(evaluateError),
                })}
              </Typography>
            )}
          </>
        }
        action={
          <Button
            variant="outlined"
            size="small"
            color="primary"
            onClick={evaluate}
            disabled={evaluating}
          >
            {evaluating ? t('reevaluate.running') : t('states.evaluateNow')}
          </Button>
        }
      />
    );
  }

  if (value.status === 'not-applicable') {
    return (
      <StateMessage
        icon={<BlockIcon color="disabled" />}
        title={t('states.notApplicableTitle')}
        description={t('states.notApplicableDescription')}
      />
    );
  }

  return <>{props.children(value)}</>;
}

import { Progress } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import BlockIcon from '@material-ui/icons/Block';
import { scorecardsTranslationRef } from '../../translation';
import { errorMessage } from './ScorecardGate';
import { StateMessage } from './StateMessage';

/**
 * What a section shows before it has data: a progress bar while the first answer is on its
 * way, or the error with a retry. Nothing once there is data (a reload keeps the old data).
 */
export function LoadState(props: {
  /** What is loading, for screen readers and the error's title. */
  what: string;
  loading: boolean;
  error?: Error;
  hasValue: boolean;
  retry: () => void;
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  if (props.error) {
    return (
      <StateMessage
        icon={<BlockIcon color="error" />}
        title={t('page.loadError', { what: props.what })}
        description={errorMessage(props.error)}
        action={
          <Button variant="outlined" size="small" onClick={props.retry}>
            {t('states.retry')}
          </Button>
        }
      />
    );
  }
  if (props.loading && !props.hasValue) {
    return (
      <Box
        py={2}
        role="status"
        aria-label={t('page.loading', { what: props.what })}
      >
        <Progress />
      </Box>
    );
  }
  return null;
}

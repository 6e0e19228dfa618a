import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';

/**
 * Runs a write as an auditor event: the event succeeds when the write returns, with what
 * `successMeta` adds about its result, and fails with the error (which is rethrown) when it
 * throws.
 */
export async function audited<T>(
  auditor: AuditorService,
  event: AuditorServiceCreateEventOptions,
  write: () => Promise<T>,
  successMeta?: (result: T) => JsonObject,
): Promise<T> {
  const auditEvent = await auditor.createEvent(event);
  try {
    const result = await write();
    await (successMeta
      ? auditEvent.success({ meta: successMeta(result) })
      : auditEvent.success());
    return result;
  } catch (error) {
    await auditEvent.fail({ error: error as Error });
    throw error;
  }
}

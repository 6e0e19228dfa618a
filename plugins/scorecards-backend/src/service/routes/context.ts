import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  ScorecardDefinitions,
  scorecardsFactWritePermission,
  scorecardsWaiverManagePermission,
} from '@guardrails/plugin-scorecards-common';
import type { Duration } from 'luxon';
import type { ScorecardsStore } from '../../database';
import type { IndicatorDefinition } from '../../definitions/readIndicators';
import type { EvaluationRunner } from '../../run/EvaluationRunner';
import type { CatalogVisibility } from '../CatalogVisibility';
import type { RollupService } from '../RollupService';

/** What the router needs. */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  store: ScorecardsStore;
  runner: EvaluationRunner;
  rollups: RollupService;
  definitions: ScorecardDefinitions;
  /** The longest a waiver may last. */
  waiverMaxDuration: Duration;
  /** The longest a run may take; one still running after it is shown as abandoned. */
  runTimeout: Duration;
  /** The current time; injectable so tests control it. */
  clock?: () => Date;
  /** The headline indicators, as read from config; absent means the defaults. */
  indicators?: IndicatorDefinition[];
}

/** A permission check of a write, and what it is about. */
export type WriteRequest =
  | {
      permission: typeof scorecardsWaiverManagePermission;
      resourceRef: string;
    }
  | { permission: typeof scorecardsFactWritePermission };

/** What every route gets: the router's options and what they share. */
export interface RouteContext extends RouterOptions {
  clock: () => Date;
  /** What the caller may read. */
  visibility: CatalogVisibility;
  /** Throws 403 unless the policy allows the write. */
  authorize(
    credentials: BackstageCredentials,
    request: WriteRequest,
  ): Promise<void>;
  /** The scorecard a route reads when the request names none. */
  defaultScorecard: string;
}

/** Who made a request, as stored with what they wrote: a user's entity ref or a service. */
export function principalRef(credentials: BackstageCredentials): string {
  const p = credentials.principal as
    | { type: 'user'; userEntityRef: string }
    | { type: 'service'; subject: string };
  return p.type === 'user' ? p.userEntityRef : p.subject;
}

import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  CheckDefinition,
  ScorecardDefinition,
  scorecardsPermissions,
} from '@guardrails/plugin-scorecards-common';
import {
  RuleOperator,
  scorecardsDefinitionsExtensionPoint,
  ScorecardsHistorySource,
  scorecardsHistoryExtensionPoint,
} from '@guardrails/plugin-scorecards-node';
import { Duration } from 'luxon';
import { readDuration } from './config';
import { DatabaseScorecardsStore } from './database';
import { createScorecardEngine, readIndicators } from './definitions';
import { EvaluationRunner } from './run/EvaluationRunner';
import { importHistorySources } from './service/historySources';
import { createRouter } from './service/router';
import { RollupService } from './service/RollupService';

const TASK_ID = 'scorecards-evaluate';

/**
 * A run of 10,000 entities takes seconds, so five minutes leaves room for a large catalog while
 * a backend that dies mid-run holds up the next run for minutes, not a quarter of an hour.
 */
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 5 },
  initialDelay: { seconds: 10 },
};

/**
 * The Guardrails Scorecards backend plugin: evaluates the catalog on a schedule, keeps the
 * results and their history, and serves them under `/api/scorecards`.
 *
 * @public
 */
export const scorecardsPlugin = createBackendPlugin({
  pluginId: 'scorecards',
  register(env) {
    const checks: CheckDefinition[] = [];
    const scorecards: ScorecardDefinition[] = [];
    const operators: RuleOperator<any>[] = [];
    env.registerExtensionPoint(scorecardsDefinitionsExtensionPoint, {
      addChecks: (...added) => checks.push(...added),
      addScorecards: (...added) => scorecards.push(...added),
      addOperators: (...added) => operators.push(...added),
    });
    const historySources: ScorecardsHistorySource[] = [];
    env.registerExtensionPoint(scorecardsHistoryExtensionPoint, {
      addHistorySource: source => {
        if (historySources.some(s => s.id === source.id)) {
          throw new Error(`History source '${source.id}' was added twice`);
        }
        historySources.push(source);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        database,
        scheduler,
        lifecycle,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        auditor,
        catalog,
      }) {
        const waiverMaxDuration = readDuration(
          config,
          'scorecards.waivers.maxDuration',
        );
        const engine = createScorecardEngine(config, {
          checks,
          scorecards,
          operators,
          waiverMaxDuration: waiverMaxDuration.toISO()!,
        });
        const definitions = engine.definitions;
        const indicators = readIndicators(config, definitions);
        const store = await DatabaseScorecardsStore.create({ database });
        permissionsRegistry.addPermissions(scorecardsPermissions);

        const runner = new EvaluationRunner({
          engine,
          store,
          catalog,
          auth,
          logger,
        });
        const retention = readDuration(config, 'scorecards.history.retention');
        const schedule = config.has('scorecards.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig('scorecards.schedule'),
            )
          : DEFAULT_SCHEDULE;

        // Before the first run, so that the history it continues is there.
        await importHistorySources({ sources: historySources, store, logger });

        const rollups = new RollupService({ store, definitions });
        await scheduler.scheduleTask({
          id: TASK_ID,
          ...schedule,
          // After the schedule: config may name a scope, but every replica must share one run.
          scope: 'global',
          fn: async signal => {
            const run = await runner.run('schedule', { signal });
            if (run.status === 'succeeded') {
              const cutoff = new Date(Date.now() - retention.toMillis());
              await store.pruneHistory(cutoff);
              await rollups.warm().catch(error => {
                logger.warn(`Could not prepare the org rollup: ${error}`);
              });
            }
          },
        });

        lifecycle.addStartupHook(async () => {
          // Changed definitions should not wait for the next cadence to show.
          const last = await store.getDefinitionsFingerprint();
          if (last !== undefined && last !== engine.fingerprint) {
            logger.info('Scorecard definitions changed; evaluating now');
            await scheduler.triggerTask(TASK_ID).catch(error => {
              logger.warn(`Could not trigger an evaluation: ${error}`);
            });
          }
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            catalog,
            permissions,
            auditor,
            logger,
            store,
            runner,
            rollups,
            definitions,
            indicators,
            waiverMaxDuration,
            runTimeout: Duration.isDuration(schedule.timeout)
              ? schedule.timeout
              : Duration.fromObject(schedule.timeout),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});

import { createBackendModule } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  catalogProcessingExtensionPoint,
  type CatalogProcessor,
  type LocationSpec,
} from '@backstage/plugin-catalog-node';

import { DateTime } from 'luxon';
import { basename, dirname } from 'node:path';

/**
 * EXAMPLE DATA ONLY. The example catalog in `examples/` is written as of this day; its review
 * dates, chaos runs and waiver expiries are chosen relative to it (see `examples/README.md`).
 */
export const EXAMPLES_WRITTEN_ON = '2026-11-26';

/** Annotations of the example catalog that hold a plain date. */
const DATE_ANNOTATIONS = [
  'guardrails.dev/runbook-reviewed',
  'guardrails.dev/security-reviewed',
  'guardrails.dev/chaos-last-run',
];
const WAIVER_PREFIX = 'guardrails.dev/waive.';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const WAIVER = /^(\d{4}-\d{2}-\d{2})(:.*)$/s;

function shiftDate(date: string, days: number): string {
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  return parsed.isValid ? parsed.plus({ days }).toISODate()! : date;
}

/**
 * Keeps the example entities' dates at the age the examples describe, whatever day the app
 * runs: every date is moved forward by the days since {@link EXAMPLES_WRITTEN_ON}. A review
 * that was 30 days old when the examples were written stays 30 days old, and a waiver that had
 * two months to run keeps them. Values that are not dates (the deliberately malformed ones)
 * are left as they are.
 *
 * Only entities read from a file in a folder named `examples` are touched, and only the
 * example backend installs this processor.
 */
export class ExampleDatesProcessor implements CatalogProcessor {
  readonly #clock: () => Date;

  constructor(options: { clock?: () => Date } = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  getProcessorName(): string {
    return 'ExampleDatesProcessor';
  }

  async preProcessEntity(
    entity: Entity,
    location: LocationSpec,
  ): Promise<Entity> {
    const annotations = entity.metadata.annotations;
    if (
      !annotations ||
      location.type !== 'file' ||
      basename(dirname(location.target)) !== 'examples'
    ) {
      return entity;
    }
    const days = Math.floor(
      DateTime.fromJSDate(this.#clock(), { zone: 'utc' })
        .startOf('day')
        .diff(DateTime.fromISO(EXAMPLES_WRITTEN_ON, { zone: 'utc' }), 'days')
        .days,
    );
    if (days === 0) {
      return entity;
    }
    const shifted: Record<string, string> = {};
    for (const [key, value] of Object.entries(annotations)) {
      if (DATE_ANNOTATIONS.includes(key) && ISO_DATE.test(value)) {
        shifted[key] = shiftDate(value, days);
      } else if (key.startsWith(WAIVER_PREFIX) && WAIVER.test(value)) {
        const [, date, rest] = value.match(WAIVER)!;
        shifted[key] = `${shiftDate(date, days)}${rest}`;
      } else {
        shifted[key] = value;
      }
    }
    return {
      ...entity,
      metadata: { ...entity.metadata, annotations: shifted },
    };
  }
}

/**
 * EXAMPLE DATA ONLY: installs {@link ExampleDatesProcessor} in the catalog of the example
 * backend. Do not install it in a real Backstage.
 */
export const catalogModuleExampleDates = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'example-dates',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new ExampleDatesProcessor());
      },
    });
  },
});

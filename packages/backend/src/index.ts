import { createBackend } from '@backstage/backend-defaults';
import { catalogModuleExampleDates } from './examples/exampleDates';
import { scorecardsModuleExampleHistory } from './examples/exampleHistory';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-catalog-backend'));
// Example data only: keeps the dates of the example catalog at the age examples/README.md gives.
backend.add(catalogModuleExampleDates);
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);
backend.add(import('@guardrails/plugin-scorecards-backend'));
// Example data only: seeds 90 days of made-up scorecard history for the example catalog
// (history source `example-history`; see examples/README.md).
backend.add(scorecardsModuleExampleHistory);

backend.start();

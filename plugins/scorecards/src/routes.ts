import { createRouteRef } from '@backstage/core-plugin-api';

/** The org rollup page. */
export const rootRouteRef = createRouteRef({ id: 'scorecards' });

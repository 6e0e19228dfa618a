import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../routes';

/**
 * Builds links to the org rollup page with a view in its URL, or is undefined when the app has
 * not mounted the page (a legacy app may install the cards alone).
 */
export function useRollupPageLink():
  | ((view: Record<string, string | undefined>) => string)
  | undefined {
  let page: (() => string) | undefined;
  try {
    // Called on every render, in the same order: the catch only turns "the page is not mounted"
    // (which useRouteRef throws) into no link.
    // eslint-disable-next-line react-hooks/rules-of-hooks
    page = useRouteRef(rootRouteRef);
  } catch {
    page = undefined;
  }
  if (!page) {
    return undefined;
  }
  const path = page();
  return view => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(view)) {
      if (value !== undefined) query.set(key, value);
    }
    return query.size > 0 ? `${path}?${query}` : path;
  };
}

import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The trend windows the page offers, in days. */
export const WINDOWS = ['30', '90', '365'] as const;

/** Everything the page shows, as it stands in the URL. */
export interface View {
  /** The scorecard's id; undefined for the first one. */
  scorecard?: string;
  /** `all`, or a group, System or Domain ref. */
  scope: string;
  /** Trend window in days. */
  window: (typeof WINDOWS)[number];
  /** Group refs expanded in the tree. */
  expanded: string[];
  /** The heatmap's columns. */
  axis: 'check' | 'category';
  kind?: string;
  type?: string;
  lifecycle?: string;
  /** Owner refs, comma-separated in the URL. */
  owner: string[];
  system?: string;
  level?: string;
  /** A check id: only entities where it fails. */
  check?: string;
  q?: string;
  /** A sort field with an optional leading `-`. */
  sort: string;
  /** The drill-down's page, from 1: what the page number says. */
  page: number;
  /** The cursor of the drill-down's page; none for the first. */
  cursor?: string;
}

const DEFAULTS = {
  scope: 'all',
  window: '90',
  sort: 'score',
  page: '1',
  axis: 'check',
};

/** Keys whose change shows other entities, so the drill-down goes back to its first page. */
const FILTER_KEYS = [
  'scorecard',
  'scope',
  'kind',
  'type',
  'lifecycle',
  'owner',
  'system',
  'level',
  'check',
  'q',
];

export type ViewChange = Partial<
  Record<keyof View, string | number | string[] | undefined>
>;

function text(params: URLSearchParams, key: string): string | undefined {
  return params.get(key) || undefined;
}

/** Reads the view from the URL and changes it there, one history entry per change. */
export function useView(): [View, (change: ViewChange) => void] {
  const [params, setParams] = useSearchParams();

  const view = useMemo((): View => {
    const window = params.get('window');
    const page = Number(params.get('page'));
    return {
      scorecard: text(params, 'scorecard'),
      scope: text(params, 'scope') ?? DEFAULTS.scope,
      window: (WINDOWS as readonly string[]).includes(window ?? '')
        ? (window as View['window'])
        : '90',
      expanded: (params.get('expanded') ?? '').split(',').filter(Boolean),
      axis: params.get('axis') === 'category' ? 'category' : 'check',
      kind: text(params, 'kind'),
      type: text(params, 'type'),
      lifecycle: text(params, 'lifecycle'),
      owner: (params.get('owner') ?? '').split(',').filter(Boolean),
      system: text(params, 'system'),
      level: text(params, 'level'),
      check: text(params, 'check'),
      q: text(params, 'q'),
      sort: text(params, 'sort') ?? DEFAULTS.sort,
      page: Number.isInteger(page) && page >= 1 ? page : 1,
      cursor: text(params, 'cursor'),
    };
  }, [params]);

  const change = useCallback(
    (next: ViewChange) => {
      setParams(current => {
        const updated = new URLSearchParams(current);
        for (const [key, raw] of Object.entries(next)) {
          const value = Array.isArray(raw) ? raw.join(',') : raw?.toString();
          if (
            value === undefined ||
            value === '' ||
            DEFAULTS[key as keyof typeof DEFAULTS] === value
          ) {
            updated.delete(key);
          } else {
            updated.set(key, value);
          }
        }
        if (FILTER_KEYS.some(key => key in next) && !('page' in next)) {
          updated.delete('page');
          updated.delete('cursor');
        }
        return updated;
      });
    },
    [setParams],
  );

  return [view, change];
}

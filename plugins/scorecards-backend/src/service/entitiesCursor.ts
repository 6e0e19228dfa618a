import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** The longest cursor read: a key and the query parameters of the first page. */
export const MAX_CURSOR_LENGTH = 4096;

const cursorSchema = z.object({
  /** The filter and sort parameters of the first page as the request gave them, and the page size. */
  query: z.record(z.string(), z.string()),
  /**
   * The boundary of the page: the rows after it (`next`) or before it (`prev`). An empty key
   * is the start (`next`) or the end (`prev`) of the listing.
   */
  dir: z.enum(['next', 'prev']),
  key: z.array(z.union([z.string(), z.number()])),
  /** The total the first page counted. */
  total: z.number().int().min(0),
});

/** What a drill-down cursor holds. */
export type EntitiesCursor = z.output<typeof cursorSchema>;

/** A cursor as the API hands it out: base64url of its JSON, opaque to clients. */
export function encodeCursor(cursor: EntitiesCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Reads a cursor the API handed out, or throws a 400 naming the `cursor` parameter. */
export function decodeCursor(text: string): EntitiesCursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const result = cursorSchema.safeParse(json);
  if (!result.success) {
    throw new InputError(
      'Invalid query: cursor: not a cursor of this API; pass the nextCursor or prevCursor of a page as it came',
    );
  }
  return result.data;
}

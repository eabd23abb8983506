import { limits } from './limits.js';
import { ProblemError } from './problem.js';

/** Opaque cursors: the last key of the previous page, base64url-encoded so clients do not build them. */
export const encodeCursor = (key: string): string => Buffer.from(`c1:${key}`, 'utf8').toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('c1:') || text.length > 300) {
    throw new ProblemError('validation_failed', 'the cursor is not one this API returned', {
      errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
    });
  }
  return text.slice(3);
}

/** A cursor over a numeric key (event or movement sequence): anything but a small whole number is refused. */
export function decodeSeqCursor(cursor: string | undefined): number | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  if (!/^\d{1,15}$/.test(key)) {
    throw new ProblemError('validation_failed', 'the cursor is not one this API returned', {
      errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
    });
  }
  return Number(key);
}

export const pageSize = (limit: number | undefined): number => Math.min(Math.max(1, limit ?? limits.pageSizeDefault), limits.pageSizeMax);

export interface Page<T> {
  readonly data: readonly T[];
  readonly next_cursor: string | null;
}

/** Builds a page from `size + 1` fetched rows: the extra row only tells whether there is a next page. */
export function toPage<R, T>(rows: readonly R[], size: number, key: (row: R) => string, view: (row: R) => T): Page<T> {
  const hasMore = rows.length > size;
  const shown = hasMore ? rows.slice(0, size) : rows;
  const last = shown.at(-1);
  return { data: shown.map(view), next_cursor: hasMore && last !== undefined ? encodeCursor(key(last)) : null };
}

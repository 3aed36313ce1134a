/**
 * The one page builder of the store. Queries ask for `limit + 1` rows after the cursor's position;
 * the extra row only says whether there is a next page, which starts after the last row returned.
 */
import type { Page, Position } from '../../lib/pagination'

export function pageOf<R, T>(
  rows: R[],
  limit: number,
  total: number,
  toItem: (row: R) => T,
  positionOf: (row: R) => Position,
): Page<T> {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { items: page.map(toItem), total, next: rows.length > limit && last ? positionOf(last) : null }
}

/** The `seq` after which a sequence-ordered page starts (0: from the beginning). */
export const afterSeq = (after: Position | null, from = 0) => Number(after?.[0] ?? from)

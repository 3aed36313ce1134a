/**
 * The one page builder of the store. Queries ask for `limit + 1` rows after the cursor's position;
 * the extra row only says whether there is a next page, which starts after the last row returned.
 * `seqPage` is the whole query for the common case: rows of one table in `seq` order (the order
 * they were written), filtered by a fixed condition.
 */
import type { Page, Position } from '../../lib/pagination'
import { all, count, type SqlValue } from './sql'

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

export interface SeqQuery {
  /** A table with an integer `seq` column (and an index that ends with it, for the filter). */
  table: string
  /** A condition over the table's columns, with `?` for `params`; empty for all rows. */
  where?: string
  params?: SqlValue[]
  /** Newest first instead of oldest first. */
  descending?: boolean
}

/** One page of a table's rows in `seq` order, with the number of rows that match. */
export function seqPage<R extends { seq: number }, T>(
  sql: SqlStorage,
  query: SeqQuery,
  after: Position | null,
  limit: number,
  toItem: (row: R) => T,
): Page<T> {
  const params = query.params ?? []
  const filter = query.where ? `(${query.where})` : '1'
  const total = count(sql, `SELECT count(*) AS n FROM ${query.table} WHERE ${filter}`, ...params)
  const beyond = query.descending ? '<' : '>'
  const start = after ? Number(after[0]) : query.descending ? Number.MAX_SAFE_INTEGER : 0
  const rows = all<R>(
    sql,
    `SELECT * FROM ${query.table} WHERE ${filter} AND seq ${beyond} ? ORDER BY seq ${query.descending ? 'DESC' : 'ASC'} LIMIT ?`,
    ...params,
    start,
    limit + 1,
  )
  return pageOf(rows, limit, total, toItem, (row) => [row.seq])
}

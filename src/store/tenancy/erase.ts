/**
 * Erasing a workspace, in bounded steps an alarm can run one after another and resume after any
 * restart, because every step starts from what is still stored: first the rows of every table
 * (a few hundred per transaction), then the workspace's files in its bucket (a listing page at a
 * time), and last, by the caller, the whole storage. `meta` is erased last of all, since it says
 * that the workspace is being deleted.
 */
import { all, first } from '../db/sql'
import { forgetAll } from '../users/principal-cache'

/** Rows per transaction, and transactions per step: a step stays well inside an alarm's time. */
export const ROWS_PER_BATCH = 500
export const BATCHES_PER_STEP = 20
/** Files per bucket listing page, and pages per step. */
export const FILES_PER_PAGE = 1000
export const PAGES_PER_STEP = 5

/**
 * The tables that hold the workspace's data: all but the schema's bookkeeping, `meta`, and the
 * shadow tables of virtual (full-text) tables, which SQLite empties with their virtual table.
 */
const dataTables = (sql: SqlStorage) =>
  all<{ name: string }>(
    sql,
    `SELECT name FROM sqlite_master AS t WHERE type = 'table'
       AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT IN ('_migrations', 'meta')
       AND NOT EXISTS (
         SELECT 1 FROM sqlite_master AS v
         WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%'
           AND t.name LIKE replace(v.name, '_', '\\_') || '\\_%' ESCAPE '\\'
       )
     ORDER BY name`,
  ).map((row) => row.name)

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Deletes up to `limit` rows of `table` by its primary key (rowid for tables without one). */
function eraseBatch(sql: SqlStorage, table: string, limit: number): number {
  const keys = all<{ name: string }>(sql, 'SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk', table)
  const key = keys.length > 0 ? keys.map((k) => quoted(k.name)).join(', ') : 'rowid'
  const target = keys.length > 1 ? `(${key})` : key
  return sql.exec(
    `DELETE FROM ${quoted(table)} WHERE ${target} IN (SELECT ${key} FROM ${quoted(table)} LIMIT ?)`,
    limit,
  ).rowsWritten
}

/**
 * Erases up to `batches` batches of rows, each in its own transaction. Returns whether rows remain.
 * An index's entries go with its rows, so rowsWritten can exceed the rows deleted: the loop asks
 * the table itself whether it is empty.
 */
export function eraseRows(storage: DurableObjectStorage, batches = BATCHES_PER_STEP, rows = ROWS_PER_BATCH): boolean {
  const sql = storage.sql
  forgetAll(sql)
  let done = 0
  for (const table of dataTables(sql)) {
    while (first(sql, `SELECT 1 AS found FROM ${quoted(table)} LIMIT 1`)) {
      if (done === batches) return true
      storage.transactionSync(() => eraseBatch(sql, table, rows))
      done++
    }
  }
  return false
}

/** Deletes up to `pages` listing pages of files under `prefix`. Returns whether files remain. */
export async function eraseFiles(bucket: R2Bucket, prefix: string, pages = PAGES_PER_STEP, perPage = FILES_PER_PAGE) {
  if (prefix === '') throw new Error('refusing to erase a bucket without a prefix')
  for (let page = 0; page < pages; page++) {
    // Deleted keys leave the listing, so each page starts from the beginning again.
    const listing = await bucket.list({ prefix, limit: perPage })
    const keys = listing.objects.map((object) => object.key)
    if (keys.length > 0) await bucket.delete(keys)
    if (!listing.truncated) return false
  }
  return true
}

/** Empties every data table in the caller's transaction: for a workspace that holds next to nothing. */
export function eraseAllRows(sql: SqlStorage) {
  forgetAll(sql)
  for (const table of dataTables(sql)) sql.exec(`DELETE FROM ${quoted(table)}`)
}

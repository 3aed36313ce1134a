/**
 * The `meta` table: the workspace's own bookkeeping, one text value per key. The keys are named
 * here, so every reader and writer agrees on them.
 */
import { first, run } from './sql'

export type MetaKey =
  /** When the configured first admin was created (never again afterwards). */
  | 'bootstrap_admin'
  /** When the daily sweep is next due, in milliseconds since the epoch. */
  | 'next_sweep_at'
  /** Where the sweep of abandoned uploads stopped in the bucket listing ('' = from the start). */
  | 'orphan_cursor'
  /** The workspace's own record (name, placement, creation), JSON; absent for `default` until renamed. */
  | 'workspace'
  /** When the workspace's deletion began; from then on it refuses every call while it is erased. */
  | 'deleting_since'
  /** The workspace's SLA policies (JSON `SlaPolicies`); absent: no targets. */
  | 'sla_policies'

export const readMeta = (sql: SqlStorage, key: MetaKey): string | null =>
  first<{ value: string }>(sql, 'SELECT value FROM meta WHERE key = ?', key)?.value ?? null

export const writeMeta = (sql: SqlStorage, key: MetaKey, value: string) =>
  run(
    sql,
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    key,
    value,
  )

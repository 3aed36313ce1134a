/**
 * Applies pending migrations in order, each in its own transaction together with its entry in
 * `_migrations`, so a failed migration leaves the schema at the previous version.
 */

import { migrations as allMigrations, type Migration } from './migrations'
import { first, nowIso } from './sql'

export function migrate(storage: DurableObjectStorage, migrations: Migration[] = allMigrations) {
  const sql = storage.sql
  sql.exec(`CREATE TABLE IF NOT EXISTS _migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`)
  const current = first<{ version: number | null }>(sql, 'SELECT max(version) AS version FROM _migrations')
  const applied = Number(current?.version ?? 0)
  for (const migration of migrations) {
    if (migration.version <= applied) continue
    storage.transactionSync(() => {
      for (const statement of migration.statements) sql.exec(statement)
      sql.exec(
        'INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)',
        migration.version,
        migration.name,
        nowIso(),
      )
    })
  }
}

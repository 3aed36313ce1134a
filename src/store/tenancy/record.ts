/**
 * The workspace's own record, kept in its object's `meta` table: name, placement, when it was
 * created, and the directory reservation that created it. `default` has no stored record until it
 * is renamed: its record is made up from the schema's first migration.
 */
import type { Jurisdiction, LocationHint } from '../../domain/workspaces'
import { readMeta, writeMeta } from '../db/meta'
import { count, first } from '../db/sql'

export interface WorkspaceInfo {
  slug: string
  name: string
  jurisdiction: Jurisdiction | null
  locationHint: LocationHint | null
  createdAt: string
}

interface StoredRecord {
  name: string
  jurisdiction: Jurisdiction | null
  locationHint: LocationHint | null
  createdAt: string
  /** The directory's reservation number for the creation that made this record. */
  reservation: number
}

export const DEFAULT_WORKSPACE_NAME = 'Default workspace'

export function readRecord(sql: SqlStorage): StoredRecord | null {
  const stored = readMeta(sql, 'workspace')
  return stored === null ? null : (JSON.parse(stored) as StoredRecord)
}

export const writeRecord = (sql: SqlStorage, record: StoredRecord) =>
  writeMeta(sql, 'workspace', JSON.stringify(record))

export function workspaceInfo(sql: SqlStorage, slug: string): WorkspaceInfo {
  const record = readRecord(sql)
  if (record) {
    const { reservation: _, ...info } = record
    return { slug, ...info }
  }
  const started = first<{ at: string }>(sql, 'SELECT min(applied_at) AS at FROM _migrations')?.at
  return {
    slug,
    name: DEFAULT_WORKSPACE_NAME,
    jurisdiction: null,
    locationHint: null,
    createdAt: started ?? new Date(0).toISOString(),
  }
}

/** Renames the workspace; `default` gets a stored record on its first rename. */
export function renameWorkspace(sql: SqlStorage, slug: string, name: string): WorkspaceInfo {
  const current = workspaceInfo(sql, slug)
  const reservation = readRecord(sql)?.reservation ?? 0
  writeRecord(sql, {
    name,
    jurisdiction: current.jurisdiction,
    locationHint: current.locationHint,
    createdAt: current.createdAt,
    reservation,
  })
  return { ...current, name }
}

export const workspaceCounts = (sql: SqlStorage) => ({
  users: count(sql, 'SELECT count(*) AS n FROM users'),
  tickets: count(sql, 'SELECT count(*) AS n FROM tickets'),
  projects: count(sql, 'SELECT count(*) AS n FROM projects'),
})

/**
 * Labels: the workspace's catalog (names unique case-insensitively) and which tickets carry each.
 * A ticket keeps its label names in its own row (`tickets.labels`, JSON, sorted), so reading a
 * ticket needs no join; `ticket_labels` (label, ticket) is the index the `label`/`any_label`
 * filters walk. Renaming or deleting a label rewrites the tickets that carry it in the same
 * transaction (each one's version grows by one, so its ETag tells a cache it changed).
 */
import { atLeast } from '../domain/roles'
import type { Page, Position } from '../lib/pagination'
import { fail, ok, type Result } from '../lib/result'
import type { Principal, StoreContext } from './db/context'
import { seqPage } from './db/paging'
import { all, first, nowIso, one, run, transact } from './db/sql'

export interface Label {
  id: string
  name: string
  color: string
  description: string
  createdAt: string
  updatedAt: string
}

type LabelRow = {
  seq: number
  id: string
  name: string
  name_key: string
  color: string
  description: string
  created_at: string
  updated_at: string
}

const toLabel = (row: LabelRow): Label => ({
  id: row.id,
  name: row.name,
  color: row.color,
  description: row.description,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

/** How names compare: case-insensitively (and ignoring surrounding spaces, which the schema trims). */
export const nameKey = (name: string) => name.trim().toLowerCase()

const canWriteLabels = (caller: Principal) => atLeast(caller.role, 'manager')

export const labelMissing = () => fail('E_LABEL_NOT_FOUND')

export const listLabels = (sql: SqlStorage, after: Position | null, limit: number): Page<Label> =>
  seqPage(sql, { table: 'labels' }, after, limit, toLabel)

export function getLabel(ctx: StoreContext, id: string): Result<Label> {
  const row = first<LabelRow>(ctx.sql, 'SELECT * FROM labels WHERE id = ?', id)
  return row ? ok(toLabel(row)) : labelMissing()
}

const nameTaken = (sql: SqlStorage, name: string, except = '') =>
  first(sql, 'SELECT id FROM labels WHERE name_key = ? AND id != ?', nameKey(name), except) !== null

export interface LabelInput {
  name: string
  color: string
  description?: string
}

export function createLabel(ctx: StoreContext, caller: Principal, input: LabelInput): Result<Label> {
  if (!canWriteLabels(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return transact(ctx.storage, () => {
    if (nameTaken(ctx.sql, input.name)) return fail('E_LABEL_EXISTS', { name: input.name })
    const now = nowIso()
    const row = one<LabelRow>(
      ctx.sql,
      `INSERT INTO labels (id, name, name_key, color, description, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      crypto.randomUUID(),
      input.name,
      nameKey(input.name),
      input.color.toLowerCase(),
      input.description ?? '',
      now,
      now,
    )
    return ok(toLabel(row))
  })
}

export function updateLabel(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  patch: Partial<LabelInput>,
): Result<Label> {
  if (!canWriteLabels(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return transact(ctx.storage, () => {
    const before = first<LabelRow>(ctx.sql, 'SELECT * FROM labels WHERE id = ?', id)
    if (!before) return labelMissing()
    if (patch.name !== undefined && nameTaken(ctx.sql, patch.name, id)) {
      return fail('E_LABEL_EXISTS', { name: patch.name })
    }
    const now = nowIso()
    const row = one<LabelRow>(
      ctx.sql,
      `UPDATE labels SET name = ?, name_key = ?, color = ?, description = ?, updated_at = ? WHERE id = ? RETURNING *`,
      patch.name ?? before.name,
      nameKey(patch.name ?? before.name),
      (patch.color ?? before.color).toLowerCase(),
      patch.description ?? before.description,
      now,
      id,
    )
    if (row.name !== before.name) rewriteTicketLabels(ctx.sql, id, now)
    return ok(toLabel(row))
  })
}

/** Deletes a label and takes it off every ticket that carries it, in one transaction. */
export function deleteLabel(ctx: StoreContext, caller: Principal, id: string): Result<null> {
  if (!canWriteLabels(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return transact(ctx.storage, () => {
    if (!first(ctx.sql, 'SELECT id FROM labels WHERE id = ?', id)) return labelMissing()
    run(ctx.sql, 'DELETE FROM labels WHERE id = ?', id)
    rewriteTicketLabels(ctx.sql, id, nowIso())
    run(ctx.sql, 'DELETE FROM ticket_labels WHERE label_id = ?', id)
    run(ctx.sql, 'DELETE FROM ticket_counters WHERE key = ?', labelKey(id))
    return ok(null)
  })
}

/**
 * Recomputes the `labels` column of every ticket that carries `labelId` from the catalog as it is
 * now (a renamed label shows its new name, a deleted one is gone); each such ticket's version grows.
 */
function rewriteTicketLabels(sql: SqlStorage, labelId: string, now: string) {
  run(
    sql,
    `UPDATE tickets SET
       labels = (SELECT json_group_array(name) FROM (
         SELECT l.name FROM ticket_labels tl JOIN labels l ON l.id = tl.label_id
         WHERE tl.seq = tickets.seq ORDER BY l.name_key)),
       version = version + 1, updated_at = ?
     WHERE seq IN (SELECT seq FROM ticket_labels WHERE label_id = ?)`,
    now,
    labelId,
  )
}

export interface ResolvedLabel {
  id: string
  name: string
}

/**
 * The catalog's labels for `names` (matched case-insensitively), sorted as tickets show them; a
 * name the catalog does not have is a 400 `E_LABEL_NOT_FOUND` naming it.
 */
export function resolveLabels(sql: SqlStorage, names: readonly string[]): Result<ResolvedLabel[]> {
  const keys = [...new Set(names.map(nameKey))]
  if (keys.length === 0) return ok([])
  const found = all<{ id: string; name: string; name_key: string }>(
    sql,
    'SELECT id, name, name_key FROM labels WHERE name_key IN (SELECT value FROM json_each(?)) ORDER BY name_key',
    JSON.stringify(keys),
  )
  if (found.length < keys.length) {
    const known = new Set(found.map((row) => row.name_key))
    const missing = names.filter((name) => !known.has(nameKey(name)))
    return fail('E_LABEL_NOT_FOUND', { missing }, { status: 400 })
  }
  return ok(found.map((row) => ({ id: row.id, name: row.name })))
}

/** The label ids for filter names (names the catalog does not have are left out). */
export const labelIdsFor = (sql: SqlStorage, names: readonly string[]) =>
  all<{ id: string }>(
    sql,
    'SELECT id FROM labels WHERE name_key IN (SELECT value FROM json_each(?))',
    JSON.stringify(names.map(nameKey)),
  ).map((row) => row.id)

/** The `ticket_counters` key of a label's ticket count (X-Total-Count of `label=<it>` is one row). */
export const labelKey = (labelId: string) => `label:${labelId}`

/**
 * Sets a ticket's labels (none: the ticket is going away): its `ticket_labels` rows and each label's
 * ticket count (the `labels` column is written with the row).
 */
export function replaceTicketLabels(sql: SqlStorage, seq: number, labels: readonly ResolvedLabel[]) {
  run(
    sql,
    `UPDATE ticket_counters SET n = n - 1
     WHERE key IN (SELECT 'label:' || label_id FROM ticket_labels WHERE seq = ?)`,
    seq,
  )
  run(sql, 'DELETE FROM ticket_labels WHERE seq = ?', seq)
  if (labels.length === 0) return
  const ids = JSON.stringify(labels.map((label) => label.id))
  run(sql, 'INSERT INTO ticket_labels (label_id, seq) SELECT value, ? FROM json_each(?)', seq, ids)
  run(
    sql,
    // `WHERE true`: SQLite's parser needs it between an INSERT's SELECT and its ON CONFLICT.
    `INSERT INTO ticket_counters (key, n) SELECT 'label:' || value, 1 FROM json_each(?) WHERE true
     ON CONFLICT (key) DO UPDATE SET n = n + 1`,
    ids,
  )
}

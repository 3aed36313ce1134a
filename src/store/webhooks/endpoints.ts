/**
 * Webhook endpoints of a workspace (admins only): create (with a new secret), read, partial update,
 * delete (pending deliveries dropped), rotate the secret (the old one still signs for 24 hours), and
 * the delivery log with redelivery. Secrets leave the object only for signing and in the answers to
 * create and rotate.
 */
import type { WebhookEventType } from '../../domain/webhook-events'
import type { Position } from '../../lib/pagination'
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { seqPage } from '../db/paging'
import { bool, first, nowIso, one, run, transact } from '../db/sql'
import { findProjectRow } from '../projects'

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000

export type WebhookRow = {
  seq: number
  id: string
  url: string
  description: string
  events: string
  project_id: string | null
  active: number
  disabled_reason: string | null
  secret: string
  previous_secret: string | null
  previous_secret_until: string | null
  failing_since: string | null
  created_at: string
  updated_at: string
}

export interface Webhook {
  id: string
  url: string
  description: string
  events: (WebhookEventType | '*')[]
  projectId: string | null
  active: boolean
  disabledReason: string | null
  createdAt: string
  updatedAt: string
}

export const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: JSON.parse(row.events) as Webhook['events'],
  projectId: row.project_id,
  active: bool(row.active),
  disabledReason: row.disabled_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export interface WebhookInput {
  url: string
  events: Webhook['events']
  description: string
  projectId: string | null
  active: boolean
}

export type WebhookPatch = Partial<WebhookInput>

export const findWebhookRow = (sql: SqlStorage, id: string) =>
  first<WebhookRow>(sql, 'SELECT * FROM webhooks WHERE id = ?', id)

const adminsOnly = (caller: Principal) => (caller.role === 'admin' ? null : fail('E_AUTH_INSUFFICIENT_PERMISSIONS'))
const notFound = () => fail('E_WEBHOOK_NOT_FOUND')

function checkProject(ctx: StoreContext, projectId: string | null | undefined) {
  if (!projectId || findProjectRow(ctx.sql, projectId)) return null
  return fail('E_PROJECT_NOT_FOUND', { projectId }, { status: 400 })
}

export function createWebhook(
  ctx: StoreContext,
  caller: Principal,
  input: WebhookInput,
  secret: string,
): Result<Webhook & { secret: string }> {
  const refused = adminsOnly(caller) ?? checkProject(ctx, input.projectId)
  if (refused) return refused
  const now = nowIso()
  const row = one<WebhookRow>(
    ctx.sql,
    `INSERT INTO webhooks (id, url, description, events, project_id, active, secret, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    crypto.randomUUID(),
    input.url,
    input.description,
    JSON.stringify([...new Set(input.events)]),
    input.projectId,
    input.active ? 1 : 0,
    secret,
    now,
    now,
  )
  return ok({ ...toWebhook(row), secret })
}

export function listWebhooks(ctx: StoreContext, caller: Principal, after: Position | null, limit: number) {
  return adminsOnly(caller) ?? ok(seqPage<WebhookRow, Webhook>(ctx.sql, { table: 'webhooks' }, after, limit, toWebhook))
}

export function getWebhook(ctx: StoreContext, caller: Principal, id: string): Result<Webhook> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  const row = findWebhookRow(ctx.sql, id)
  return row ? ok(toWebhook(row)) : notFound()
}

/** Partial update; turning an endpoint back on clears why it was disabled and its failing streak. */
export function updateWebhook(ctx: StoreContext, caller: Principal, id: string, patch: WebhookPatch): Result<Webhook> {
  const refused = adminsOnly(caller) ?? checkProject(ctx, patch.projectId)
  if (refused) return refused
  return transact(ctx.storage, () => {
    const row = findWebhookRow(ctx.sql, id)
    if (!row) return notFound()
    const active = patch.active ?? bool(row.active)
    const reenabled = active && !bool(row.active)
    const updated = one<WebhookRow>(
      ctx.sql,
      `UPDATE webhooks SET url = ?, description = ?, events = ?, project_id = ?, active = ?,
         disabled_reason = ?, failing_since = ?, updated_at = ? WHERE id = ? RETURNING *`,
      patch.url ?? row.url,
      patch.description ?? row.description,
      patch.events ? JSON.stringify([...new Set(patch.events)]) : row.events,
      patch.projectId === undefined ? row.project_id : patch.projectId,
      active ? 1 : 0,
      reenabled ? null : row.disabled_reason,
      reenabled ? null : row.failing_since,
      nowIso(),
      id,
    )
    return ok(toWebhook(updated))
  })
}

export function deleteWebhook(ctx: StoreContext, caller: Principal, id: string): Result<null> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  return transact(ctx.storage, () => {
    if (run(ctx.sql, 'DELETE FROM webhooks WHERE id = ?', id) === 0) return notFound()
    run(ctx.sql, 'DELETE FROM webhook_deliveries WHERE webhook_id = ?', id)
    return ok(null)
  })
}

/** A new secret; the previous one keeps signing beside it for 24 hours. */
export function rotateSecret(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  secret: string,
): Result<{ secret: string }> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  return transact(ctx.storage, () => {
    const row = findWebhookRow(ctx.sql, id)
    if (!row) return notFound()
    const now = Date.now()
    run(
      ctx.sql,
      `UPDATE webhooks SET secret = ?, previous_secret = ?, previous_secret_until = ?, updated_at = ? WHERE id = ?`,
      secret,
      row.secret,
      new Date(now + ROTATION_OVERLAP_MS).toISOString(),
      new Date(now).toISOString(),
      id,
    )
    return ok({ secret })
  })
}

/** The secrets that sign now: the current one, and the previous one during its overlap. */
export function signingSecrets(row: WebhookRow, now = nowIso()) {
  const previous = row.previous_secret && row.previous_secret_until && row.previous_secret_until > now
  return previous && row.previous_secret ? [row.secret, row.previous_secret] : [row.secret]
}

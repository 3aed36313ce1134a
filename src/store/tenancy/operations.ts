/**
 * A workspace's lifecycle inside its own object: its first initialisation (the creation's admin and
 * first session, in one transaction), reading and renaming its record, and the start of its
 * deletion (every session revoked and the workspace marked, in one transaction; the alarm erases
 * the rest). Role checks are here, next to the data, as for every other operation.
 */
import type { Placement } from '../../domain/workspaces'
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { writeMeta } from '../db/meta'
import { nowIso, transact } from '../db/sql'
import { revokeTokensOf } from '../users/api-tokens'
import { insertUser, type User } from '../users/rows'
import { insertSession, revokeAllSessions } from '../users/sessions'
import { eraseAllRows } from './erase'
import { readRecord, renameWorkspace, type WorkspaceInfo, workspaceCounts, workspaceInfo, writeRecord } from './record'

export interface WorkspaceInit {
  name: string
  placement: Placement
  /** The directory's reservation number: a later attempt (higher number) replaces an unconfirmed one. */
  reservation: number
  admin: { name: string; email: string; passwordHash: string }
  session: { id: string; refreshJti: string; expiresAt: string }
}

/**
 * Makes this object the workspace: its record, its first admin and that admin's session. What an
 * earlier, unconfirmed attempt with a lower reservation left is discarded in the same transaction;
 * an attempt with the same or a lower number than the stored one is refused.
 */
export function initializeWorkspace(
  ctx: StoreContext,
  slug: string,
  input: WorkspaceInit,
): Result<{ admin: User; workspace: WorkspaceInfo }> {
  return transact(ctx.storage, () => {
    const existing = readRecord(ctx.sql)
    if (existing && existing.reservation >= input.reservation) return fail('E_WORKSPACE_EXISTS')
    eraseAllRows(ctx.sql)
    const now = nowIso()
    // Its first admin comes with the creation: the configured bootstrap admin is for `default` only.
    writeMeta(ctx.sql, 'bootstrap_admin', now)
    writeRecord(ctx.sql, {
      name: input.name,
      jurisdiction: input.placement.jurisdiction,
      locationHint: input.placement.locationHint,
      createdAt: now,
      reservation: input.reservation,
    })
    const admin = insertUser(ctx.sql, { ...input.admin, role: 'admin' }, now)
    insertSession(ctx.sql, { ...input.session, userId: admin.id }, now)
    return ok({ admin, workspace: workspaceInfo(ctx.sql, slug) })
  })
}

/** Whether the stored record is the one made by `reservation` (an abandoned creation). */
export const createdBy = (ctx: StoreContext, reservation: number) => readRecord(ctx.sql)?.reservation === reservation

export type WorkspaceWithCounts = WorkspaceInfo & { counts: ReturnType<typeof workspaceCounts> }

export const describeWorkspace = (ctx: StoreContext, slug: string): WorkspaceWithCounts => ({
  ...workspaceInfo(ctx.sql, slug),
  counts: workspaceCounts(ctx.sql),
})

export function renameFor(ctx: StoreContext, caller: Principal, slug: string, name: string): Result<WorkspaceInfo> {
  if (caller.role !== 'admin') return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return transact(ctx.storage, () => ok(renameWorkspace(ctx.sql, slug, name)))
}

/** Revokes every session and API token and marks the workspace deleted, at once; the alarm erases the data. */
export function beginDeletion(ctx: StoreContext, caller: Principal, isDefault: boolean): Result<null> {
  if (caller.role !== 'admin') return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  if (isDefault) return fail('E_WORKSPACE_PROTECTED')
  return transact(ctx.storage, () => {
    const now = nowIso()
    revokeAllSessions(ctx.sql, 'workspace_deleted', now)
    revokeTokensOf(ctx.sql, null, 'workspace_deleted', now)
    writeMeta(ctx.sql, 'deleting_since', now)
    return ok(null)
  })
}

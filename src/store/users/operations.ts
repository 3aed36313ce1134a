/**
 * User operations that need a caller: registration, admin creation, listing, reading, updating
 * and deleting, each checked against the policy with the caller's current role, each mutation one
 * transaction (sessions revoked in the same one as the change that ends them).
 */

import type { Role } from '../../domain/roles'
import {
  canCreateUsers,
  canListUsers,
  canReadUser,
  type Decision,
  decideUserDelete,
  decideUserUpdate,
  needsCurrentPassword,
} from '../../domain/user-access'
import type { Page, Position } from '../../lib/pagination'
import { type Failure, fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { nowIso, transact } from '../db/sql'
import { removeFromAllAssignees } from '../tickets/operations'
import { dropUserWatches } from '../tickets/watchers'
import { revokeTokensOf } from './api-tokens'
import {
  deleteUserRow,
  emailTaken,
  findUserById,
  insertUser,
  listUsers,
  type NewUser,
  toUser,
  type User,
  type UserFilter,
  updateUserRow,
} from './rows'
import { deleteUserSessions, type RevokeReason, revokeUserSessions } from './sessions'

const refused = (decision: Exclude<Decision, 'allow'>): Failure =>
  decision === 'not_found'
    ? fail('E_USER_NOT_FOUND')
    : decision === 'self_lockout'
      ? fail('E_USER_SELF_LOCKOUT')
      : fail('E_AUTH_INSUFFICIENT_PERMISSIONS')

function createUser(ctx: StoreContext, user: NewUser): Result<User> {
  return transact(ctx.storage, () => {
    if (emailTaken(ctx.sql, user.email)) return fail('E_USER_EMAIL_EXISTS')
    return ok(insertUser(ctx.sql, user, nowIso()))
  })
}

/** Self-registration: always a plain user (the Worker refuses any other role before this). */
export const registerUser = (ctx: StoreContext, user: Omit<NewUser, 'role'>) =>
  createUser(ctx, { ...user, role: 'user' })

export function createUserAsAdmin(ctx: StoreContext, caller: Principal, user: NewUser) {
  if (!canCreateUsers(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return createUser(ctx, user)
}

export function listUsersFor(
  ctx: StoreContext,
  caller: Principal,
  filter: UserFilter,
  after: Position | null,
  limit: number,
): Result<Page<User>> {
  if (!canListUsers(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return ok(listUsers(ctx.sql, filter, after, limit))
}

export function getUserFor(ctx: StoreContext, caller: Principal, id: string): Result<User> {
  const row = canReadUser(caller, id) ? findUserById(ctx.sql, id) : null
  return row ? ok(toUser(row)) : fail('E_USER_NOT_FOUND')
}

/** The stored hash, handed to the Worker only to check the caller's own current password. */
export function passwordHashFor(ctx: StoreContext, caller: Principal, id: string): Result<string> {
  if (!needsCurrentPassword(caller, id)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  const row = findUserById(ctx.sql, id)
  return row ? ok(row.password_hash) : fail('E_USER_NOT_FOUND')
}

export interface UserPatch {
  name?: string
  email?: string
  role?: Role
  active?: boolean
  passwordHash?: string
  /** For one's own password change: the hash the current password was checked against. */
  verifiedHash?: string
}

export function updateUserFor(ctx: StoreContext, caller: Principal, id: string, patch: UserPatch): Result<User> {
  return transact(ctx.storage, () => {
    const decision = decideUserUpdate(caller, id, patch)
    if (decision !== 'allow') return refused(decision)
    const row = findUserById(ctx.sql, id)
    if (!row) return fail('E_USER_NOT_FOUND')
    if (patch.email !== undefined && emailTaken(ctx.sql, patch.email, id)) {
      return fail('E_USER_EMAIL_EXISTS')
    }
    const self = caller.id === id
    if (patch.passwordHash !== undefined && caller.tokenId) return fail('E_AUTH_SESSION_REQUIRED')
    if (patch.passwordHash !== undefined && self && patch.verifiedHash !== row.password_hash) {
      return fail('E_USER_CURRENT_PASSWORD_INVALID')
    }
    const now = nowIso()
    const updated = updateUserRow(ctx.sql, id, patch, now) ?? row
    // A user who became a plain user stops watching the tickets it can no longer see.
    if (patch.role === 'user' && row.role !== 'user') dropUserWatches(ctx.sql, id)
    let reason: RevokeReason | null = null
    if (patch.passwordHash !== undefined) reason = 'password_changed'
    if (patch.active === false && row.active === 1) reason = 'deactivated'
    // A password change keeps the session that made it; deactivation ends every session.
    if (reason) {
      const keep = reason === 'password_changed' && self ? caller.sessionId : ''
      revokeUserSessions(ctx.sql, id, reason, now, keep)
      // A password change leaves API tokens alone; deactivation revokes them for good.
      if (reason === 'deactivated') revokeTokensOf(ctx.sql, id, 'deactivated', now)
    }
    return ok(toUser(updated))
  })
}

/**
 * Deletes a user and its sessions, and takes it off every ticket's assignees, in one transaction.
 */
export function deleteUserFor(ctx: StoreContext, caller: Principal, id: string): Result<null> {
  return transact(ctx.storage, () => {
    const decision = decideUserDelete(caller, id)
    if (decision !== 'allow') return refused(decision)
    if (!findUserById(ctx.sql, id)) return fail('E_USER_NOT_FOUND')
    deleteUserSessions(ctx.sql, id)
    revokeTokensOf(ctx.sql, id, 'deleted', nowIso())
    deleteUserRow(ctx.sql, id)
    // Tickets it reported keep its id as reporterId; it leaves every ticket's assignees.
    removeFromAllAssignees(ctx, id, caller.id, nowIso())
    dropUserWatches(ctx.sql, id, true)
    return ok(null)
  })
}

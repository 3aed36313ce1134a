/**
 * Authorisation rules for users and accounts, as pure functions of the caller (its id and current
 * role) and the target. The Durable Object calls them with the role it reads from storage, so a
 * role change takes effect at once, whatever the caller's token says.
 */
import { atLeast, type Caller, type Role } from './roles'

export type Decision = 'allow' | 'not_found' | 'forbidden' | 'self_lockout'

export const canListUsers = (caller: Caller) => caller.role === 'admin'
export const canCreateUsers = (caller: Caller) => caller.role === 'admin'

/** The user itself, managers and admins may read a user; anyone else is told it does not exist. */
export const canReadUser = (caller: Caller, targetId: string) =>
  caller.id === targetId || atLeast(caller.role, 'manager')

export interface UserPatchShape {
  name?: unknown
  email?: unknown
  password?: unknown
  role?: Role
  active?: boolean
}

/**
 * Who may change what: the user itself its name, email and password; admins also role and active
 * of anyone. An admin may not demote or deactivate itself, so a workspace keeps its admin.
 */
export function decideUserUpdate(caller: Caller, targetId: string, patch: UserPatchShape): Decision {
  const self = caller.id === targetId
  if (!self && !canReadUser(caller, targetId)) return 'not_found'
  if (caller.role !== 'admin') {
    if (!self) return 'forbidden'
    if (patch.role !== undefined || patch.active !== undefined) return 'forbidden'
    return 'allow'
  }
  if (self && ((patch.role !== undefined && patch.role !== 'admin') || patch.active === false)) {
    return 'self_lockout'
  }
  return 'allow'
}

export function decideUserDelete(caller: Caller, targetId: string): Decision {
  if (caller.role !== 'admin') return canReadUser(caller, targetId) ? 'forbidden' : 'not_found'
  return caller.id === targetId ? 'self_lockout' : 'allow'
}

/** Changing one's own password needs the current one; an admin resetting someone else's does not. */
export const needsCurrentPassword = (caller: Caller, targetId: string) => caller.id === targetId

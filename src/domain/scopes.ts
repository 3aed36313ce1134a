/**
 * API token scopes: what a token may do, narrowed further by its user's current role. A `…:write`
 * scope includes its `…:read`. Which scopes a role may put on a token: those whose routes the role
 * could use at all. Pure.
 */
import { atLeast, type Role } from './roles'

export const SCOPES = [
  'tickets:read',
  'tickets:write',
  'projects:read',
  'projects:write',
  'users:read',
  'users:write',
  'reports:read',
  'workflows:write',
  'webhooks:write',
] as const
export type Scope = (typeof SCOPES)[number]

export const isScope = (value: unknown): value is Scope =>
  typeof value === 'string' && (SCOPES as readonly string[]).includes(value)

/** Whether a token with `granted` may use a route that requires `required`. */
export function grants(granted: readonly Scope[], required: Scope) {
  if (granted.includes(required)) return true
  const [area, access] = required.split(':')
  return access === 'read' && granted.includes(`${area}:write` as Scope)
}

/** The least role whose routes a scope opens. */
const NEEDS: Record<Scope, Role> = {
  'tickets:read': 'user',
  'tickets:write': 'user',
  'projects:read': 'user',
  'projects:write': 'manager',
  'users:read': 'user',
  'users:write': 'admin',
  'reports:read': 'user',
  'workflows:write': 'admin',
  'webhooks:write': 'admin',
}

/** The scopes of `requested` that `role` may not put on a token. */
export const scopesBeyond = (role: Role, requested: readonly Scope[]) =>
  requested.filter((scope) => !atLeast(role, NEEDS[scope]))

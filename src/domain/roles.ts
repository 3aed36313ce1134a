/**
 * Roles and their order. A role includes everything the roles before it may do:
 * user < manager < admin. Pure: shared by the Worker, the Durable Object and the OpenAPI schemas.
 */

export const ROLES = ['user', 'manager', 'admin'] as const
export type Role = (typeof ROLES)[number]

const rank: Record<Role, number> = { user: 0, manager: 1, admin: 2 }

/** Whoever asks for something: its id and its current role. */
export interface Caller {
  id: string
  role: Role
}

/** True when `role` is `minimum` or above it. */
export const atLeast = (role: Role, minimum: Role) => rank[role] >= rank[minimum]

/**
 * The users table: rows, their public shape (never the hash) and the queries over them.
 * Operations that need a caller (list, update, delete) live in `operations.ts`.
 */

import type { Role } from '../../domain/roles'
import type { Page, Position } from '../../lib/pagination'
import { pageOf } from '../db/paging'
import { all, bool, count, first, one, run, type SqlValue } from '../db/sql'
import { forgetUser } from './principal-cache'

export interface User {
  id: string
  name: string
  email: string
  role: Role
  active: boolean
  createdAt: string
  updatedAt: string
}

export type UserRow = {
  id: string
  name: string
  email: string
  role: string
  active: number
  password_hash: string
  created_at: string
  updated_at: string
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: row.role as Role,
  active: bool(row.active),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export const normalizeEmail = (email: string) => email.trim().toLowerCase()

export const findUserById = (sql: SqlStorage, id: string) => first<UserRow>(sql, 'SELECT * FROM users WHERE id = ?', id)

export const findUserByEmail = (sql: SqlStorage, email: string) =>
  first<UserRow>(sql, 'SELECT * FROM users WHERE email = ?', normalizeEmail(email))

export const emailTaken = (sql: SqlStorage, email: string, exceptId = '') =>
  count(sql, 'SELECT count(*) AS n FROM users WHERE email = ? AND id != ?', normalizeEmail(email), exceptId) > 0

export interface NewUser {
  name: string
  email: string
  role: Role
  passwordHash: string
}

export function insertUser(sql: SqlStorage, user: NewUser, now: string): User {
  const row = one<UserRow>(
    sql,
    `INSERT INTO users (id, name, email, role, active, password_hash, created_at, updated_at)
     VALUES (?, ?, ?, ?, 1, ?, ?, ?) RETURNING *`,
    crypto.randomUUID(),
    user.name,
    normalizeEmail(user.email),
    user.role,
    user.passwordHash,
    now,
    now,
  )
  return toUser(row)
}

export interface UserChanges {
  name?: string
  email?: string
  role?: Role
  active?: boolean
  passwordHash?: string
}

const columns: Record<keyof UserChanges, string> = {
  name: 'name',
  email: 'email',
  role: 'role',
  active: 'active',
  passwordHash: 'password_hash',
}

/** Writes the changed columns; returns the row as it is now (null if there is no such user). */
export function updateUserRow(sql: SqlStorage, id: string, changes: UserChanges, now: string): UserRow | null {
  const sets: string[] = []
  const values: SqlValue[] = []
  for (const key of Object.keys(columns) as (keyof UserChanges)[]) {
    const value = changes[key]
    if (value === undefined) continue
    sets.push(`${columns[key]} = ?`)
    if (typeof value === 'boolean') values.push(value ? 1 : 0)
    else values.push(key === 'email' ? normalizeEmail(value) : value)
  }
  if (sets.length === 0) return findUserById(sql, id)
  forgetUser(sql, id)
  return first<UserRow>(
    sql,
    `UPDATE users SET ${sets.join(', ')}, updated_at = ? WHERE id = ? RETURNING *`,
    ...values,
    now,
    id,
  )
}

/** Deletes a user's row (its sessions, tokens and assignments are the caller's to handle). */
export function deleteUserRow(sql: SqlStorage, id: string) {
  forgetUser(sql, id)
  return run(sql, 'DELETE FROM users WHERE id = ?', id)
}

export interface UserFilter {
  role?: Role
  active?: boolean
}

/** Oldest first, keyset-paged on (createdAt, id). */
export function listUsers(sql: SqlStorage, filter: UserFilter, after: Position | null, limit: number): Page<User> {
  const where: string[] = []
  const params: SqlValue[] = []
  if (filter.role) {
    where.push('role = ?')
    params.push(filter.role)
  }
  if (filter.active !== undefined) {
    where.push('active = ?')
    params.push(filter.active ? 1 : 0)
  }
  const clause = () => (where.length ? `WHERE ${where.join(' AND ')}` : '')
  const total = count(sql, `SELECT count(*) AS n FROM users ${clause()}`, ...params)
  if (after) {
    where.push('(created_at, id) > (?, ?)')
    params.push(String(after[0]), String(after[1]))
  }
  const rows = all<UserRow>(
    sql,
    `SELECT * FROM users ${clause()} ORDER BY created_at, id LIMIT ?`,
    ...params,
    limit + 1,
  )
  return pageOf(rows, limit, total, toUser, (row) => [row.created_at, row.id])
}

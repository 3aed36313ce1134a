/**
 * Projects: the table's rows and public shape, and the operations on them. A project's key is
 * fixed at creation (ticket keys are built from it); a project with tickets cannot be deleted,
 * so no ticket ever points at a project that is gone.
 */
import { canManageProjects } from '../domain/ticket-access'
import { DEFAULT_KEY_PREFIX } from '../domain/ticket-keys'
import type { Page, Position } from '../lib/pagination'
import { fail, ok, type Result } from '../lib/result'
import type { Principal, StoreContext } from './db/context'
import { pageOf } from './db/paging'
import { all, count, first, nowIso, one, run, transact } from './db/sql'

export interface Project {
  id: string
  key: string
  name: string
  description: string
  createdAt: string
  updatedAt: string
}

type ProjectRow = {
  id: string
  key: string
  name: string
  description: string
  created_at: string
  updated_at: string
}

const toProject = (row: ProjectRow): Project => ({
  id: row.id,
  key: row.key,
  name: row.name,
  description: row.description,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export const findProjectRow = (sql: SqlStorage, id: string) =>
  first<ProjectRow>(sql, 'SELECT * FROM projects WHERE id = ?', id)

export function listProjects(sql: SqlStorage, after: Position | null, limit: number): Page<Project> {
  const total = count(sql, 'SELECT count(*) AS n FROM projects')
  const rows = after
    ? all<ProjectRow>(
        sql,
        'SELECT * FROM projects WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
        String(after[0]),
        String(after[1]),
        limit + 1,
      )
    : all<ProjectRow>(sql, 'SELECT * FROM projects ORDER BY created_at, id LIMIT ?', limit + 1)
  return pageOf(rows, limit, total, toProject, (row) => [row.created_at, row.id])
}

export function getProject(ctx: StoreContext, id: string): Result<Project> {
  const row = findProjectRow(ctx.sql, id)
  return row ? ok(toProject(row)) : fail('E_PROJECT_NOT_FOUND')
}

export function createProject(
  ctx: StoreContext,
  caller: Principal,
  input: { key: string; name: string; description: string },
): Result<Project> {
  if (!canManageProjects(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return transact(ctx.storage, () => {
    if (input.key === DEFAULT_KEY_PREFIX) return fail('E_PROJECT_KEY_EXISTS', { key: input.key, reserved: true })
    if (first(ctx.sql, 'SELECT id FROM projects WHERE key = ?', input.key)) {
      return fail('E_PROJECT_KEY_EXISTS', { key: input.key })
    }
    const now = nowIso()
    const row = one<ProjectRow>(
      ctx.sql,
      'INSERT INTO projects (id, key, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      crypto.randomUUID(),
      input.key,
      input.name,
      input.description,
      now,
      now,
    )
    return ok(toProject(row))
  })
}

export function updateProject(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  patch: { name?: string; description?: string },
): Result<Project> {
  if (!canManageProjects(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return transact(ctx.storage, () => {
    const row = first<ProjectRow>(
      ctx.sql,
      `UPDATE projects SET name = coalesce(?, name), description = coalesce(?, description), updated_at = ?
       WHERE id = ? RETURNING *`,
      patch.name ?? null,
      patch.description ?? null,
      nowIso(),
      id,
    )
    return row ? ok(toProject(row)) : fail('E_PROJECT_NOT_FOUND')
  })
}

export function deleteProject(ctx: StoreContext, caller: Principal, id: string): Result<null> {
  if (!canManageProjects(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  return transact(ctx.storage, () => {
    if (!findProjectRow(ctx.sql, id)) return fail('E_PROJECT_NOT_FOUND')
    const tickets = count(ctx.sql, 'SELECT count(*) AS n FROM tickets WHERE project_id = ?', id)
    if (tickets > 0) return fail('E_PROJECT_HAS_TICKETS', { tickets })
    run(ctx.sql, 'DELETE FROM projects WHERE id = ?', id)
    return ok(null)
  })
}

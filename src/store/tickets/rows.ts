/**
 * The tickets table and its satellites (assignees, full-text index, key counters): rows, the
 * public Ticket shape, and the low-level reads and writes that ticket operations compose inside
 * their transactions. Assignees are rows of their own, indexed by user, not a JSON column.
 */
import type { Priority } from '../../domain/priorities'
import { priorityRank } from '../../domain/priorities'
import type { Status } from '../../domain/ticket-lifecycle'
import { all, first, run, type SqlValue } from '../db/sql'
import { deleteHistory } from './history'
import { countTicketChange } from './stats'

export interface Ticket {
  id: string
  key: string
  title: string
  description: string
  status: Status
  priority: Priority
  department: string | null
  projectId: string | null
  reporterId: string
  assigneeIds: string[]
  version: number
  createdAt: string
  updatedAt: string
}

export type TicketRow = {
  seq: number
  id: string
  key: string
  title: string
  description: string
  status: string
  priority: string
  priority_rank: number
  department: string | null
  project_id: string | null
  reporter_id: string
  version: number
  created_at: string
  updated_at: string
}

/** Ticket keys without a project: TSK-1001, TSK-1002, … */
export const DEFAULT_KEY_PREFIX = 'TSK'
const FIRST_NUMBER: Record<string, number> = { [DEFAULT_KEY_PREFIX]: 1001 }

export const findTicketRow = (sql: SqlStorage, id: string) =>
  first<TicketRow>(sql, 'SELECT * FROM tickets WHERE id = ?', id)

export const findTicketRowByKey = (sql: SqlStorage, key: string) =>
  first<TicketRow>(sql, 'SELECT * FROM tickets WHERE key = ?', key)

/** Assignee ids per ticket, in the order they were given; one query for a whole page. */
export function assigneesOf(sql: SqlStorage, ticketIds: string[]): Map<string, string[]> {
  const byTicket = new Map<string, string[]>(ticketIds.map((id) => [id, []]))
  if (ticketIds.length === 0) return byTicket
  const rows = all<{ ticket_id: string; user_id: string }>(
    sql,
    `SELECT ticket_id, user_id FROM ticket_assignees
     WHERE ticket_id IN (SELECT value FROM json_each(?)) ORDER BY ticket_id, position`,
    JSON.stringify(ticketIds),
  )
  for (const row of rows) byTicket.get(row.ticket_id)?.push(row.user_id)
  return byTicket
}

/** The public shape of a stored row, given its assignees. */
export const toTicket = (row: TicketRow, assigneeIds: string[]): Ticket => ({
  id: row.id,
  key: row.key,
  title: row.title,
  description: row.description,
  status: row.status as Status,
  priority: row.priority as Priority,
  department: row.department,
  projectId: row.project_id,
  reporterId: row.reporter_id,
  assigneeIds,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

export function hydrate(sql: SqlStorage, rows: TicketRow[]): Ticket[] {
  const assignees = assigneesOf(
    sql,
    rows.map((row) => row.id),
  )
  return rows.map((row) => toTicket(row, assignees.get(row.id) ?? []))
}

export const hydrateOne = (sql: SqlStorage, row: TicketRow) => hydrate(sql, [row])[0] as Ticket

/** The next key for a prefix, from a counter that only ever grows: keys are never reused. */
export function allocateKey(sql: SqlStorage, prefix: string): string {
  const start = FIRST_NUMBER[prefix] ?? 1
  const { number } = sql
    .exec<{ number: number }>(
      `INSERT INTO key_counters (prefix, next_number) VALUES (?, ?)
       ON CONFLICT (prefix) DO UPDATE SET next_number = next_number + 1
       RETURNING next_number - 1 AS number`,
      prefix,
      start + 1,
    )
    .one()
  return `${prefix}-${number}`
}

/** Ids among `userIds` that are not existing, active users. */
export function invalidAssignees(sql: SqlStorage, userIds: string[]): string[] {
  if (userIds.length === 0) return []
  const valid = new Set(
    all<{ id: string }>(
      sql,
      'SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?)) AND active = 1',
      JSON.stringify(userIds),
    ).map((row) => row.id),
  )
  return userIds.filter((id) => !valid.has(id))
}

export interface TicketInsert {
  id: string
  key: string
  title: string
  description: string
  status: Status
  priority: Priority
  department: string | null
  projectId: string | null
  reporterId: string
  now: string
}

/**
 * Inserts a new ticket with its assignees, parties, counters and full-text entry; returns the
 * ticket as stored.
 */
export function insertTicket(sql: SqlStorage, ticket: TicketInsert, assigneeIds: readonly string[]): Ticket {
  const row = insertTicketRow(sql, ticket)
  if (assigneeIds.length > 0) insertAssignees(sql, row.id, assigneeIds)
  addParties(sql, row.seq, [row.reporter_id, ...assigneeIds])
  return toTicket(row, [...assigneeIds])
}

function insertTicketRow(sql: SqlStorage, ticket: TicketInsert): TicketRow {
  const row = sql
    .exec<TicketRow>(
      `INSERT INTO tickets (id, key, title, description, status, priority, priority_rank, department,
       project_id, reporter_id, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING *`,
      ticket.id,
      ticket.key,
      ticket.title,
      ticket.description,
      ticket.status,
      ticket.priority,
      priorityRank(ticket.priority),
      ticket.department,
      ticket.projectId,
      ticket.reporterId,
      ticket.now,
      ticket.now,
    )
    .one()
  countTicketChange(sql, null, ticket)
  run(sql, 'INSERT INTO tickets_fts (rowid, title, description) VALUES (?, ?, ?)', row.seq, row.title, row.description)
  return row
}

export interface RowChanges {
  title?: string
  description?: string
  status?: Status
  priority?: Priority
  department?: string | null
  projectId?: string | null
}

/** Writes changed columns, bumps the version and keeps the full-text index in step; returns the new row. */
export function updateTicketRow(sql: SqlStorage, row: TicketRow, changes: RowChanges, now: string): TicketRow {
  const sets: string[] = []
  const values: SqlValue[] = []
  const set = (column: string, value: SqlValue) => {
    sets.push(`${column} = ?`)
    values.push(value)
  }
  if (changes.title !== undefined) set('title', changes.title)
  if (changes.description !== undefined) set('description', changes.description)
  if (changes.status !== undefined) set('status', changes.status)
  if (changes.priority !== undefined) {
    set('priority', changes.priority)
    set('priority_rank', priorityRank(changes.priority))
  }
  if (changes.department !== undefined) set('department', changes.department)
  if (changes.projectId !== undefined) set('project_id', changes.projectId)
  const updated = sql
    .exec<TicketRow>(
      `UPDATE tickets SET ${[...sets, 'version = version + 1', 'updated_at = ?'].join(', ')} WHERE seq = ? RETURNING *`,
      ...values,
      now,
      row.seq,
    )
    .one()
  const before = { status: row.status as Status, priority: row.priority as Priority, department: row.department }
  countTicketChange(sql, before, {
    status: changes.status ?? before.status,
    priority: changes.priority ?? before.priority,
    department: changes.department === undefined ? before.department : changes.department,
  })
  if (changes.title !== undefined || changes.description !== undefined) {
    run(
      sql,
      'UPDATE tickets_fts SET title = ?, description = ? WHERE rowid = ?',
      changes.title ?? row.title,
      changes.description ?? row.description,
      row.seq,
    )
  }
  return updated
}

/** Sets a ticket's assignees (in the given order) and re-derives who is involved in it. */
export function replaceAssignees(
  sql: SqlStorage,
  row: Pick<TicketRow, 'id' | 'seq' | 'reporter_id'>,
  userIds: readonly string[],
) {
  run(sql, 'DELETE FROM ticket_assignees WHERE ticket_id = ?', row.id)
  if (userIds.length > 0) insertAssignees(sql, row.id, userIds)
  clearParties(sql, row.seq)
  addParties(sql, row.seq, [row.reporter_id, ...userIds])
}

function insertAssignees(sql: SqlStorage, ticketId: string, userIds: readonly string[]) {
  run(
    sql,
    'INSERT INTO ticket_assignees (ticket_id, user_id, position) SELECT ?, value, key FROM json_each(?)',
    ticketId,
    JSON.stringify(userIds),
  )
}

/** Records who is involved in a ticket (its reporter and assignees), keeping per-user counts in step. */
function addParties(sql: SqlStorage, seq: number, userIds: readonly string[]) {
  const distinct = [...new Set(userIds)]
  const rows = distinct.map(() => '(?, ?)').join(', ')
  run(sql, `INSERT INTO ticket_parties (user_id, seq) VALUES ${rows}`, ...distinct.flatMap((id) => [id, seq]))
  run(
    sql,
    `INSERT INTO party_counts (user_id, n) VALUES ${rows} ON CONFLICT (user_id) DO UPDATE SET n = n + 1`,
    ...distinct.flatMap((id) => [id, 1]),
  )
}

/** Removes a ticket's party rows, keeping the per-user counts in step. */
function clearParties(sql: SqlStorage, seq: number) {
  run(sql, 'UPDATE party_counts SET n = n - 1 WHERE user_id IN (SELECT user_id FROM ticket_parties WHERE seq = ?)', seq)
  run(sql, 'DELETE FROM ticket_parties WHERE seq = ?', seq)
}

/** How many tickets a user reported or is assigned to. */
export const partyCount = (sql: SqlStorage, userId: string) =>
  first<{ n: number }>(sql, 'SELECT n FROM party_counts WHERE user_id = ?', userId)?.n ?? 0

export function deleteTicketRows(sql: SqlStorage, row: TicketRow) {
  run(
    sql,
    `INSERT INTO object_deletions (file_key, requested_at)
     SELECT file_key, ? FROM attachments WHERE ticket_id = ? ON CONFLICT DO NOTHING`,
    new Date().toISOString(),
    row.id,
  )
  run(sql, 'DELETE FROM attachments WHERE ticket_id = ?', row.id)
  run(sql, 'DELETE FROM ticket_assignees WHERE ticket_id = ?', row.id)
  deleteHistory(sql, row.id)
  countTicketChange(
    sql,
    { status: row.status as Status, priority: row.priority as Priority, department: row.department },
    null,
  )
  run(sql, 'DELETE FROM ticket_comments WHERE ticket_id = ?', row.id)
  run(sql, 'DELETE FROM tickets_fts WHERE rowid = ?', row.seq)
  clearParties(sql, row.seq)
  run(sql, 'DELETE FROM tickets WHERE seq = ?', row.seq)
}

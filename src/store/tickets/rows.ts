/**
 * The tickets table and the satellites that belong to a row (assignees, the full-text index, key
 * counters, parties): the row type, the public Ticket built from it, and the low-level reads and
 * writes that ticket operations compose inside their transactions. Nothing here touches history,
 * comments, attachments or the report counters: the operations do that, where it can be seen.
 */
import { type Priority, priorityRank } from '../../domain/priorities'
import type { SlaTarget, Ticket, TicketSla, TicketState } from '../../domain/ticket'
import { firstKeyNumber, ticketKey } from '../../domain/ticket-keys'
import type { Status } from '../../domain/ticket-lifecycle'
import { all, first, one, run, type SqlValue } from '../db/sql'
import { type ResolvedLabel, replaceTicketLabels } from '../labels'
import { addParties, clearParties } from './parties'

export type { Ticket }

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
  /** Label names, JSON, sorted (see `labels.ts`). */
  labels: string
  due_at: string | null
  due_asc: string
  due_desc: string
  overdue_counted: number
  sla_first_response_due_at: string | null
  sla_resolution_due_at: string | null
  sla_first_responded_at: string | null
  sla_resolved_at: string | null
  /** SLA targets breached, JSON. */
  sla_breached: string
  sla_paused_since: string | null
  sla_paused_ms: number
}

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

/** Where a stored row stands against its SLA targets. */
export const slaOf = (row: TicketRow): TicketSla => ({
  firstResponseDueAt: row.sla_first_response_due_at,
  resolutionDueAt: row.sla_resolution_due_at,
  firstRespondedAt: row.sla_first_responded_at,
  breached: JSON.parse(row.sla_breached) as SlaTarget[],
  paused: row.sla_paused_since !== null,
})

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
  labels: JSON.parse(row.labels) as string[],
  dueAt: row.due_at,
  sla: slaOf(row),
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

/** The counted fields of a stored row (what the report counters see). */
export const countedOf = (row: TicketRow) => ({
  status: row.status as Status,
  priority: row.priority as Priority,
  department: row.department,
})

/** The next key for a prefix, from a counter that only ever grows: keys are never reused. */
export function allocateKey(sql: SqlStorage, prefix: string): string {
  const { number } = one<{ number: number }>(
    sql,
    `INSERT INTO key_counters (prefix, next_number) VALUES (?, ?)
     ON CONFLICT (prefix) DO UPDATE SET next_number = next_number + 1
     RETURNING next_number - 1 AS number`,
    prefix,
    firstKeyNumber(prefix) + 1,
  )
  return ticketKey(prefix, number)
}

/** Ids among `userIds` that are not existing, active users. */
export function invalidAssignees(sql: SqlStorage, userIds: readonly string[]): string[] {
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

/** A new ticket's row: everything but what the store sets on its own (version, timestamps, SLA). */
export type TicketInsert = Omit<Ticket, 'assigneeIds' | 'labels' | 'sla' | 'version' | 'createdAt' | 'updatedAt'>

/**
 * Inserts a new ticket's row with its assignees, parties and full-text entry; returns the ticket as
 * stored.
 */
export function insertTicketRows(
  sql: SqlStorage,
  ticket: TicketInsert,
  assigneeIds: readonly string[],
  labels: readonly ResolvedLabel[],
  now: string,
  sla: SlaColumns = {},
): TicketRow {
  const columns: Record<string, SqlValue> = {
    id: ticket.id,
    key: ticket.key,
    title: ticket.title,
    description: ticket.description,
    status: ticket.status,
    priority: ticket.priority,
    priority_rank: priorityRank(ticket.priority),
    department: ticket.department,
    project_id: ticket.projectId,
    reporter_id: ticket.reporterId,
    version: 1,
    created_at: now,
    updated_at: now,
    labels: JSON.stringify(labels.map((label) => label.name)),
    due_at: ticket.dueAt,
    ...(sla as Record<string, SqlValue>),
  }
  const names = Object.keys(columns)
  const row = one<TicketRow>(
    sql,
    `INSERT INTO tickets (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) RETURNING *`,
    ...Object.values(columns),
  )
  run(sql, 'INSERT INTO tickets_fts (rowid, title, description) VALUES (?, ?, ?)', row.seq, row.title, row.description)
  if (assigneeIds.length > 0) insertAssignees(sql, row.id, assigneeIds)
  addParties(sql, row.seq, [row.reporter_id, ...assigneeIds])
  replaceTicketLabels(sql, row.seq, labels)
  return row
}

/**
 * The columns a change may write (assignees are rows of their own: `replaceAssignees`; labels come
 * resolved, and their `ticket_labels` rows are written here too), and the SLA columns.
 */
export type RowChanges = Partial<Omit<TicketState, 'assigneeIds' | 'labels'>> & {
  labels?: readonly ResolvedLabel[]
  sla?: SlaColumns
}

/** SLA columns a change may set (see `sla.ts`). */
export type SlaColumns = Partial<
  Pick<
    TicketRow,
    | 'sla_first_response_due_at'
    | 'sla_resolution_due_at'
    | 'sla_first_responded_at'
    | 'sla_resolved_at'
    | 'sla_breached'
    | 'sla_paused_since'
    | 'sla_paused_ms'
  >
>

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
  if (changes.dueAt !== undefined) set('due_at', changes.dueAt)
  if (changes.labels !== undefined) {
    set('labels', JSON.stringify(changes.labels.map((label) => label.name)))
    replaceTicketLabels(sql, row.seq, changes.labels)
  }
  for (const [column, value] of Object.entries(changes.sla ?? {})) set(column, value as SqlValue)
  const updated = one<TicketRow>(
    sql,
    `UPDATE tickets SET ${[...sets, 'version = version + 1', 'updated_at = ?'].join(', ')} WHERE seq = ? RETURNING *`,
    ...values,
    now,
    row.seq,
  )
  if (changes.title !== undefined || changes.description !== undefined) {
    run(
      sql,
      'UPDATE tickets_fts SET title = ?, description = ? WHERE rowid = ?',
      updated.title,
      updated.description,
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

/** The ids of the tickets a user is assigned to. */
export const ticketsAssignedTo = (sql: SqlStorage, userId: string) =>
  all<{ ticket_id: string }>(sql, 'SELECT ticket_id FROM ticket_assignees WHERE user_id = ?', userId).map(
    (row) => row.ticket_id,
  )

/** Deletes a ticket's row with its assignees, parties, labels, watchers, deadlines and full-text entry. */
export function deleteTicketRows(sql: SqlStorage, row: TicketRow) {
  run(sql, 'DELETE FROM ticket_assignees WHERE ticket_id = ?', row.id)
  run(sql, 'DELETE FROM tickets_fts WHERE rowid = ?', row.seq)
  replaceTicketLabels(sql, row.seq, [])
  run(sql, 'DELETE FROM ticket_watchers WHERE ticket_seq = ?', row.seq)
  run(sql, 'DELETE FROM deadlines WHERE seq = ?', row.seq)
  clearParties(sql, row.seq)
  run(sql, 'DELETE FROM tickets WHERE seq = ?', row.seq)
}

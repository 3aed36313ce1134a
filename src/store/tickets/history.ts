/**
 * A ticket's history: append-only rows, read oldest first with keyset paging. History records who
 * changed what (`created`, `updated_<field>`, `workflow_<action>`), with the old and new values as
 * JSON, and the rule id when a workflow rule made the change. The activity report is derived from
 * these entries (see `stats.ts`); the operations that write entries count them there.
 */
import type { Position } from '../../lib/pagination'
import { seqPage } from '../db/paging'
import { all, run } from '../db/sql'

type Scalar = string | number | boolean | null | string[]
/** A field's value, or (for `created`) a flat snapshot of the new ticket's fields. */
export type HistoryValue = Scalar | { [field: string]: Scalar }

export interface HistoryEntry {
  id: string
  ticketId: string
  userId: string | null
  ruleId: string | null
  action: string
  oldValue: HistoryValue
  newValue: HistoryValue
  createdAt: string
}

type HistoryRow = {
  seq: number
  id: string
  ticket_id: string
  user_id: string | null
  rule_id: string | null
  action: string
  old_value: string | null
  new_value: string | null
  created_at: string
}

const parse = (value: string | null): HistoryValue => (value === null ? null : (JSON.parse(value) as HistoryValue))

const toEntry = (row: HistoryRow): HistoryEntry => ({
  id: row.id,
  ticketId: row.ticket_id,
  userId: row.user_id,
  ruleId: row.rule_id,
  action: row.action,
  oldValue: parse(row.old_value),
  newValue: parse(row.new_value),
  createdAt: row.created_at,
})

export interface NewHistoryEntry {
  ticketId: string
  userId: string | null
  ruleId?: string | null
  action: string
  oldValue: HistoryValue
  newValue: HistoryValue
}

export function appendHistory(sql: SqlStorage, entry: NewHistoryEntry, now: string) {
  run(
    sql,
    `INSERT INTO ticket_history (id, ticket_id, user_id, rule_id, action, old_value, new_value, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    crypto.randomUUID(),
    entry.ticketId,
    entry.userId,
    entry.ruleId ?? null,
    entry.action,
    entry.oldValue === null ? null : JSON.stringify(entry.oldValue),
    entry.newValue === null ? null : JSON.stringify(entry.newValue),
    now,
  )
}

/** Every entry of a ticket, oldest first (for uncounting a deleted ticket's activity). */
export const historyOf = (sql: SqlStorage, ticketId: string) =>
  all<HistoryRow>(sql, 'SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY seq', ticketId).map(toEntry)

export const deleteHistory = (sql: SqlStorage, ticketId: string) =>
  run(sql, 'DELETE FROM ticket_history WHERE ticket_id = ?', ticketId)

/** A ticket's history, oldest first. */
export const listHistory = (sql: SqlStorage, ticketId: string, after: Position | null, limit: number) =>
  seqPage(sql, { table: 'ticket_history', where: 'ticket_id = ?', params: [ticketId] }, after, limit, toEntry)

/**
 * A ticket's history and comments: append-only rows, read oldest first with keyset paging.
 * History records who changed what (`created`, `updated_<field>`, `workflow_<action>`), with the
 * old and new values as JSON, and the rule id when a workflow rule made the change.
 */
import type { Page, Position } from '../db/context'
import { all, count, first, run } from '../db/sql'
import { countActivity } from './stats'

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

/** Appends an entry, and counts the activity it stands for (see ticket-stats). */
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
  countActivity(sql, { ...entry, createdAt: now }, 1)
}

/** Deletes a ticket's history, uncounting its activity, so the reports match what remains. */
export function deleteHistory(sql: SqlStorage, ticketId: string) {
  for (const row of all<HistoryRow>(sql, 'SELECT * FROM ticket_history WHERE ticket_id = ?', ticketId)) {
    countActivity(sql, toEntry(row), -1)
  }
  run(sql, 'DELETE FROM ticket_history WHERE ticket_id = ?', ticketId)
}

/** One page of rows of a per-ticket, append-only table, oldest first. */
function pageBySeq<R extends { seq: number }, T>(
  sql: SqlStorage,
  table: 'ticket_history' | 'ticket_comments',
  ticketId: string,
  after: Position | null,
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const total = count(sql, `SELECT count(*) AS n FROM ${table} WHERE ticket_id = ?`, ticketId)
  const rows = all<R>(
    sql,
    `SELECT * FROM ${table} WHERE ticket_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    ticketId,
    Number(after?.[0] ?? 0),
    limit + 1,
  )
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { items: page.map(map), total, next: rows.length > limit && last ? [last.seq] : null }
}

export const listHistory = (sql: SqlStorage, ticketId: string, after: Position | null, limit: number) =>
  pageBySeq<HistoryRow, HistoryEntry>(sql, 'ticket_history', ticketId, after, limit, toEntry)

export interface Comment {
  id: string
  ticketId: string
  authorId: string | null
  ruleId: string | null
  body: string
  createdAt: string
}

type CommentRow = {
  seq: number
  id: string
  ticket_id: string
  author_id: string | null
  rule_id: string | null
  body: string
  created_at: string
}

const toComment = (row: CommentRow): Comment => ({
  id: row.id,
  ticketId: row.ticket_id,
  authorId: row.author_id,
  ruleId: row.rule_id,
  body: row.body,
  createdAt: row.created_at,
})

export function insertComment(
  sql: SqlStorage,
  comment: { ticketId: string; authorId: string | null; ruleId?: string | null; body: string },
  now: string,
): Comment {
  const id = crypto.randomUUID()
  run(
    sql,
    'INSERT INTO ticket_comments (id, ticket_id, author_id, rule_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    id,
    comment.ticketId,
    comment.authorId,
    comment.ruleId ?? null,
    comment.body,
    now,
  )
  return toComment(first<CommentRow>(sql, 'SELECT * FROM ticket_comments WHERE id = ?', id) as CommentRow)
}

export function findComment(sql: SqlStorage, ticketId: string, id: string): Comment | null {
  const row = first<CommentRow>(sql, 'SELECT * FROM ticket_comments WHERE id = ? AND ticket_id = ?', id, ticketId)
  return row ? toComment(row) : null
}

export const listComments = (sql: SqlStorage, ticketId: string, after: Position | null, limit: number) =>
  pageBySeq<CommentRow, Comment>(sql, 'ticket_comments', ticketId, after, limit, toComment)

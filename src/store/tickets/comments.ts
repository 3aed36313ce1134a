/**
 * A ticket's comments: append-only rows, read oldest first with keyset paging, written by people
 * (`authorId`) or by workflow rules (`authorId: null`, `ruleId` set).
 */
import type { Position } from '../../lib/pagination'
import { seqPage } from '../db/paging'
import { first, one, run } from '../db/sql'

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
  const row = one<CommentRow>(
    sql,
    `INSERT INTO ticket_comments (id, ticket_id, author_id, rule_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
     RETURNING *`,
    crypto.randomUUID(),
    comment.ticketId,
    comment.authorId,
    comment.ruleId ?? null,
    comment.body,
    now,
  )
  return toComment(row)
}

export function findComment(sql: SqlStorage, ticketId: string, id: string): Comment | null {
  const row = first<CommentRow>(sql, 'SELECT * FROM ticket_comments WHERE id = ? AND ticket_id = ?', id, ticketId)
  return row ? toComment(row) : null
}

export const deleteComments = (sql: SqlStorage, ticketId: string) =>
  run(sql, 'DELETE FROM ticket_comments WHERE ticket_id = ?', ticketId)

/** A ticket's comments, oldest first. */
export const listComments = (sql: SqlStorage, ticketId: string, after: Position | null, limit: number) =>
  seqPage(sql, { table: 'ticket_comments', where: 'ticket_id = ?', params: [ticketId] }, after, limit, toComment)

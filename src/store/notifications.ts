/**
 * Notifications: one row per recipient, written in the same transaction as the change that caused
 * it, so none exists for a change that did not happen. The row is also the email outbox: its
 * `email_status` goes pending → queued (handed to the queue after commit) → sent or failed.
 */
import type { Page, Position } from '../lib/pagination'
import { seqPage } from './db/paging'
import { all, first, run } from './db/sql'

export type NotificationKind = 'rule' | 'assigned' | 'status_changed' | 'watching' | 'sla_breached' | 'webhook_disabled'
export type EmailStatus = 'disabled' | 'pending' | 'queued' | 'sent' | 'failed'

export interface Notification {
  id: string
  userId: string
  ticketId: string | null
  ruleId: string | null
  kind: NotificationKind
  message: string
  read: boolean
  readAt: string | null
  createdAt: string
  emailStatus: EmailStatus
}

type NotificationRow = {
  seq: number
  id: string
  user_id: string
  ticket_id: string | null
  rule_id: string | null
  kind: string
  message: string
  created_at: string
  read_at: string | null
  email_status: string
  email_attempts: number
  email_message_id: string | null
  email_updated_at: string | null
}

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  userId: row.user_id,
  ticketId: row.ticket_id,
  ruleId: row.rule_id,
  kind: row.kind as NotificationKind,
  message: row.message,
  read: row.read_at !== null,
  readAt: row.read_at,
  createdAt: row.created_at,
  emailStatus: row.email_status as EmailStatus,
})

export interface NewNotifications {
  userIds: readonly string[]
  ticketId: string | null
  ruleId?: string | null
  kind: NotificationKind
  message: string
}

/** Writes one notification per existing recipient (duplicates and unknown users dropped). */
export function notify(sql: SqlStorage, batch: NewNotifications, emailEnabled: boolean, now: string): number {
  const recipients = all<{ id: string }>(
    sql,
    'SELECT id FROM users WHERE id IN (SELECT DISTINCT value FROM json_each(?))',
    JSON.stringify(batch.userIds),
  )
  for (const recipient of recipients) {
    run(
      sql,
      `INSERT INTO notifications (id, user_id, ticket_id, rule_id, kind, message, created_at, email_status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      crypto.randomUUID(),
      recipient.id,
      batch.ticketId,
      batch.ruleId ?? null,
      batch.kind,
      batch.message,
      now,
      emailEnabled ? 'pending' : 'disabled',
    )
  }
  return recipients.length
}

/** The caller's notifications, newest first. */
export function listNotifications(
  sql: SqlStorage,
  userId: string,
  unreadOnly: boolean,
  after: Position | null,
  limit: number,
): Page<Notification> {
  const where = unreadOnly ? 'user_id = ? AND read_at IS NULL' : 'user_id = ?'
  return seqPage(
    sql,
    { table: 'notifications', where, params: [userId], descending: true },
    after,
    limit,
    toNotification,
  )
}

/** Marks one of the user's notifications read (idempotent); null when it is not theirs. */
export function markRead(sql: SqlStorage, userId: string, id: string, now: string): Notification | null {
  const row = first<NotificationRow>(
    sql,
    'UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ? AND user_id = ? RETURNING *',
    now,
    id,
    userId,
  )
  return row ? toNotification(row) : null
}

export const pendingEmailIds = (sql: SqlStorage, limit: number) =>
  all<{ id: string }>(
    sql,
    "SELECT id FROM notifications WHERE email_status = 'pending' ORDER BY seq LIMIT ?",
    limit,
  ).map((row) => row.id)

export function markQueued(sql: SqlStorage, ids: string[], now: string) {
  run(
    sql,
    `UPDATE notifications SET email_status = 'queued', email_updated_at = ?
     WHERE email_status = 'pending' AND id IN (SELECT value FROM json_each(?))`,
    now,
    JSON.stringify(ids),
  )
}

export interface Email {
  to: string
  subject: string
  text: string
}

/**
 * The email for a queued notification, or null when there is nothing to send (already sent,
 * failed for good, or its recipient is gone), so a redelivered message never sends twice.
 */
export function emailFor(sql: SqlStorage, id: string): Email | null {
  const row = first<{ message: string; email: string | null; key: string | null; title: string | null }>(
    sql,
    `SELECT n.message, u.email, t.key, t.title FROM notifications n
     LEFT JOIN users u ON u.id = n.user_id LEFT JOIN tickets t ON t.id = n.ticket_id
     WHERE n.id = ? AND n.email_status IN ('pending', 'queued')`,
    id,
  )
  if (!row) return null
  if (!row.email) {
    run(sql, "UPDATE notifications SET email_status = 'failed' WHERE id = ?", id)
    return null
  }
  const subject = row.key ? `[${row.key}] ${row.title ?? ''}`.trim() : 'Ticketing notification'
  return { to: row.email, subject: subject.slice(0, 200), text: row.message }
}

export type EmailOutcome = { sent: true; messageId: string } | { sent: false; final: boolean }

export function recordEmailAttempt(sql: SqlStorage, id: string, outcome: EmailOutcome, now: string) {
  if (outcome.sent) {
    run(
      sql,
      `UPDATE notifications SET email_status = 'sent', email_message_id = ?, email_attempts = email_attempts + 1,
       email_updated_at = ? WHERE id = ?`,
      outcome.messageId,
      now,
      id,
    )
  } else {
    run(
      sql,
      'UPDATE notifications SET email_status = ?, email_attempts = email_attempts + 1, email_updated_at = ? WHERE id = ?',
      outcome.final ? 'failed' : 'queued',
      now,
      id,
    )
  }
}

/**
 * Attachment records. Who may touch an attachment is who may see its ticket (anyone else: 404);
 * deleting one is for its uploader, managers and admins. The record and its history entry are one
 * transaction; R2 objects are never deleted inline but queued in `object_deletions` in the same
 * transaction as the record's removal, and deleted by the alarm, so no record ever points at a
 * deleted object (an object may briefly outlive its record, never the reverse).
 */
import { atLeast } from '../domain/roles'
import type { Page, Position } from '../lib/pagination'
import { fail, ok, type Result } from '../lib/result'
import type { Principal, StoreContext } from './db/context'
import { seqPage } from './db/paging'
import { all, first, nowIso, one, run, transact } from './db/sql'
import { appendHistory } from './tickets/history'
import { findTicketRow, hydrateOne } from './tickets/rows'
import { getTicket, whenVisible } from './tickets/visibility'
import { notifyWatchers } from './tickets/watchers'
import { emitTicketEvents } from './webhooks/outbox'

export interface Attachment {
  id: string
  ticketId: string
  filename: string
  contentType: string
  size: number
  fileKey: string
  uploadedBy: string
  createdAt: string
}

type AttachmentRow = {
  seq: number
  id: string
  ticket_id: string
  file_key: string
  filename: string
  content_type: string
  size: number
  uploaded_by: string
  created_at: string
}

const toAttachment = (row: AttachmentRow): Attachment => ({
  id: row.id,
  ticketId: row.ticket_id,
  filename: row.filename,
  contentType: row.content_type,
  size: row.size,
  fileKey: row.file_key,
  uploadedBy: row.uploaded_by,
  createdAt: row.created_at,
})

const findRow = (sql: SqlStorage, id: string) => first<AttachmentRow>(sql, 'SELECT * FROM attachments WHERE id = ?', id)

/** The attachment, if the caller may see its ticket. */
function visible(ctx: StoreContext, caller: Principal, id: string): Result<AttachmentRow> {
  const row = findRow(ctx.sql, id)
  if (!row || !getTicket(ctx, caller, row.ticket_id).ok) return fail('E_ATTACHMENT_NOT_FOUND')
  return ok(row)
}

/** Whether the caller may attach files to the ticket (it can see it). */
export function canAttach(ctx: StoreContext, caller: Principal, ticketId: string): Result<null> {
  return whenVisible(ctx, caller, ticketId, () => ok(null))
}

/** Whether an attachment record names the file key (signed download URLs check it). */
export const isAttached = (ctx: StoreContext, fileKey: string) =>
  first(ctx.sql, 'SELECT 1 AS found FROM attachments WHERE file_key = ?', fileKey) !== null

/** Claims a file key for its one upload; false if it was claimed before. */
export function claimUpload(ctx: StoreContext, fileKey: string): boolean {
  return (
    run(
      ctx.sql,
      'INSERT INTO upload_claims (file_key, claimed_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
      fileKey,
      nowIso(),
    ) > 0
  )
}

export interface NewAttachment {
  ticketId: string
  fileKey: string
  filename: string
  contentType: string
  size: number
}

export function createAttachment(ctx: StoreContext, caller: Principal, input: NewAttachment): Result<Attachment> {
  return transact(ctx.storage, () => {
    const ticket = getTicket(ctx, caller, input.ticketId)
    if (!ticket.ok) return ticket
    if (first(ctx.sql, 'SELECT id FROM attachments WHERE file_key = ?', input.fileKey))
      return fail('E_ATTACHMENT_EXISTS')
    const now = nowIso()
    const row = one<AttachmentRow>(
      ctx.sql,
      `INSERT INTO attachments (id, ticket_id, file_key, filename, content_type, size, uploaded_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      crypto.randomUUID(),
      input.ticketId,
      input.fileKey,
      input.filename,
      input.contentType,
      input.size,
      caller.id,
      now,
    )
    appendHistory(
      ctx.sql,
      {
        ticketId: input.ticketId,
        userId: caller.id,
        action: 'attachment_added',
        oldValue: null,
        newValue: { attachmentId: row.id, filename: input.filename, size: input.size },
      },
      now,
    )
    const attachment = toAttachment(row)
    const ticketRow = findTicketRow(ctx.sql, input.ticketId)
    if (ticketRow) {
      const message = `${ticketRow.key} (${ticketRow.title}): file ${input.filename} attached`
      notifyWatchers(ctx, ticketRow, { kind: 'watching', message }, [caller.id], now)
    }
    emitTicketEvents(ctx, ['attachment.added'], () => ticket.value, { userId: caller.id }, { attachment })
    return ok(attachment)
  })
}

export function getAttachment(ctx: StoreContext, caller: Principal, id: string): Result<Attachment> {
  const row = visible(ctx, caller, id)
  return row.ok ? ok(toAttachment(row.value)) : row
}

export function listAttachments(
  ctx: StoreContext,
  caller: Principal,
  ticketId: string,
  after: Position | null,
  limit: number,
): Result<Page<Attachment>> {
  return whenVisible(ctx, caller, ticketId, () =>
    ok(
      seqPage(
        ctx.sql,
        { table: 'attachments', where: 'ticket_id = ?', params: [ticketId] },
        after,
        limit,
        toAttachment,
      ),
    ),
  )
}

const queueObjectDeletion = (sql: SqlStorage, fileKey: string, now: string) =>
  run(sql, 'INSERT INTO object_deletions (file_key, requested_at) VALUES (?, ?) ON CONFLICT DO NOTHING', fileKey, now)

export function deleteAttachment(ctx: StoreContext, caller: Principal, id: string): Result<null> {
  return transact(ctx.storage, () => {
    const found = visible(ctx, caller, id)
    if (!found.ok) return found
    const row = found.value
    if (row.uploaded_by !== caller.id && !atLeast(caller.role, 'manager'))
      return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
    const now = nowIso()
    run(ctx.sql, 'DELETE FROM attachments WHERE id = ?', id)
    queueObjectDeletion(ctx.sql, row.file_key, now)
    appendHistory(
      ctx.sql,
      {
        ticketId: row.ticket_id,
        userId: caller.id,
        action: 'attachment_removed',
        oldValue: { attachmentId: id, filename: row.filename, size: row.size },
        newValue: null,
      },
      now,
    )
    const ticket = findTicketRow(ctx.sql, row.ticket_id)
    if (ticket) {
      const message = `${ticket.key} (${ticket.title}): file ${row.filename} removed`
      notifyWatchers(ctx, ticket, { kind: 'watching', message }, [caller.id], now)
      const attachment = toAttachment(row)
      emitTicketEvents(
        ctx,
        ['attachment.removed'],
        () => hydrateOne(ctx.sql, ticket),
        { userId: caller.id },
        { attachment },
      )
    }
    return ok(null)
  })
}

/**
 * Removes the records of a ticket's attachments and queues their objects for deletion, inside the
 * ticket's deletion.
 */
export function forgetTicketAttachments(sql: SqlStorage, ticketId: string, now: string) {
  run(
    sql,
    `INSERT INTO object_deletions (file_key, requested_at)
     SELECT file_key, ? FROM attachments WHERE ticket_id = ? ON CONFLICT DO NOTHING`,
    now,
    ticketId,
  )
  run(sql, 'DELETE FROM attachments WHERE ticket_id = ?', ticketId)
}

export const pendingObjectDeletions = (sql: SqlStorage, limit: number) =>
  all<{ file_key: string }>(sql, 'SELECT file_key FROM object_deletions ORDER BY requested_at LIMIT ?', limit).map(
    (row) => row.file_key,
  )

export const objectsDeleted = (sql: SqlStorage, fileKeys: string[]) =>
  run(sql, 'DELETE FROM object_deletions WHERE file_key IN (SELECT value FROM json_each(?))', JSON.stringify(fileKeys))

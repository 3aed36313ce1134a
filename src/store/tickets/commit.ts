/**
 * Committing a change to a ticket, whoever makes it (a person, a rule, a user deletion), inside the
 * caller's transaction: the row (version + 1), its assignees, the report counters, one history entry
 * per changed field with the activity it stands for, and the notifications the change owes (new
 * assignees; the reporter on a status change).
 */
import type { FieldChange } from '../../domain/ticket-changes'
import { updateEvents } from '../../domain/webhook-events'
import type { StoreContext } from '../db/context'
import { notify } from '../notifications'
import { emitTicketEvents } from '../webhooks/outbox'
import { appendHistory, type HistoryValue, type NewHistoryEntry } from './history'
import { countedOf, hydrateOne, type RowChanges, replaceAssignees, type TicketRow, updateTicketRow } from './rows'
import { countActivity, countTicketChange } from './stats'

export interface ChangeAuthor {
  /** The person who made the change, or whose change set the rule off. */
  userId: string | null
  ruleId?: string
}

type TicketRef = Pick<TicketRow, 'id' | 'key' | 'title' | 'reporter_id'>

/** Appends a history entry that may stand for activity (creation, assignment, closing) and counts it. */
export function appendCountedHistory(sql: SqlStorage, entry: NewHistoryEntry, now: string) {
  appendHistory(sql, entry, now)
  countActivity(sql, { ...entry, createdAt: now }, 1)
}

/** Notifies newly assigned users, except a person assigning themselves. */
export function notifyAssigned(
  ctx: StoreContext,
  ticket: TicketRef,
  userIds: readonly string[],
  by: ChangeAuthor,
  now: string,
) {
  const recipients = userIds.filter((id) => by.ruleId !== undefined || id !== by.userId)
  if (recipients.length === 0) return
  notify(
    ctx.sql,
    {
      userIds: recipients,
      ticketId: ticket.id,
      ruleId: by.ruleId ?? null,
      kind: 'assigned',
      message: `You were assigned to ${ticket.key}: ${ticket.title}`,
    },
    ctx.emailEnabled,
    now,
  )
}

function notifyAbout(ctx: StoreContext, ticket: TicketRef, changes: FieldChange[], by: ChangeAuthor, now: string) {
  for (const change of changes) {
    if (change.field === 'assigneeIds') {
      const before = new Set(change.from)
      notifyAssigned(
        ctx,
        ticket,
        change.to.filter((id) => !before.has(id)),
        by,
        now,
      )
    }
    if (change.field === 'status' && (by.ruleId !== undefined || ticket.reporter_id !== by.userId)) {
      notify(
        ctx.sql,
        {
          userIds: [ticket.reporter_id],
          ticketId: ticket.id,
          ruleId: by.ruleId ?? null,
          kind: 'status_changed',
          message: `${ticket.key} (${ticket.title}) moved from ${change.from} to ${change.to}`,
        },
        ctx.emailEnabled,
        now,
      )
    }
  }
}

/** Returns the ticket's row as it is after the change. */
export function commitChanges(
  ctx: StoreContext,
  row: TicketRow,
  changes: FieldChange[],
  by: ChangeAuthor,
  action: (change: FieldChange) => string,
  now: string,
  options: { notify: boolean } = { notify: true },
): TicketRow {
  const rowChanges: Record<string, unknown> = {}
  for (const change of changes) {
    if (change.field === 'assigneeIds') replaceAssignees(ctx.sql, row, change.to)
    else rowChanges[change.field] = change.to
  }
  const updated = updateTicketRow(ctx.sql, row, rowChanges as RowChanges, now)
  countTicketChange(ctx.sql, countedOf(row), countedOf(updated))
  for (const change of changes) {
    appendCountedHistory(
      ctx.sql,
      {
        ticketId: row.id,
        userId: by.userId,
        ruleId: by.ruleId,
        action: action(change),
        oldValue: change.from as HistoryValue,
        newValue: change.to as HistoryValue,
      },
      now,
    )
  }
  if (options.notify) notifyAbout(ctx, updated, changes, by, now)
  emitTicketEvents(ctx, updateEvents(changes), () => hydrateOne(ctx.sql, updated), by, { changes })
  return updated
}

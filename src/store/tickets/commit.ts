/**
 * Committing a change to a ticket, whoever makes it (a person, a rule, a user deletion): the row
 * (version + 1), its assignees, one history entry per changed field, and the notifications the
 * change owes (new assignees; the reporter on a status change). Runs inside the caller's transaction.
 */
import type { FieldChange } from '../../domain/ticket-changes'
import type { StoreContext } from '../db/context'
import { notify } from '../notifications'
import { appendHistory, type HistoryValue } from './history'
import { replaceAssignees, type TicketRow, updateTicketRow } from './rows'

export interface ChangeAuthor {
  /** The person who made the change, or whose change set the rule off. */
  userId: string | null
  ruleId?: string
}

type TicketRef = Pick<TicketRow, 'id' | 'key' | 'title' | 'reporter_id'>

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
  const updated = updateTicketRow(ctx.sql, row, rowChanges, now)
  for (const change of changes) {
    appendHistory(
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
  const title = changes.find((change) => change.field === 'title')?.to
  if (options.notify)
    notifyAbout(ctx, { ...row, title: typeof title === 'string' ? title : row.title }, changes, by, now)
  return updated
}

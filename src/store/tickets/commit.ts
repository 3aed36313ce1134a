/**
 * Committing a change to a ticket, whoever makes it (a person, a rule, a user deletion), inside the
 * caller's transaction: the row (version + 1) with its labels and SLA state (a first response, a
 * met target, a pause, new targets for a new priority), its assignees and watchers, its deadlines,
 * the report counters, one history entry per changed field with the activity it stands for, the
 * notifications the change owes (new assignees; the reporter on a status change; every other
 * watcher) and its webhook events.
 */
import type { FieldChange } from '../../domain/ticket-changes'
import { updateEvents } from '../../domain/webhook-events'
import type { StoreContext } from '../db/context'
import { resolveLabels } from '../labels'
import { notify } from '../notifications'
import { emitTicketEvents } from '../webhooks/outbox'
import { appendHistory, type HistoryValue, type NewHistoryEntry } from './history'
import { countedOf, hydrateOne, type RowChanges, replaceAssignees, type TicketRow, updateTicketRow } from './rows'
import { countOutcome, slaChange, syncTimers } from './sla'
import { countActivity, countTicketChange } from './stats'
import { addWatchers, dropUnseeing, notifyWatchers } from './watchers'

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

/** Notifies newly assigned users, except a person assigning themselves; returns who was notified. */
export function notifyAssigned(
  ctx: StoreContext,
  ticket: TicketRef,
  userIds: readonly string[],
  by: ChangeAuthor,
  now: string,
): string[] {
  const recipients = userIds.filter((id) => by.ruleId !== undefined || id !== by.userId)
  if (recipients.length === 0) return []
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
  return recipients
}

/** The assignment and status notifications a change owes; returns who got one. */
function notifyAbout(ctx: StoreContext, ticket: TicketRef, changes: FieldChange[], by: ChangeAuthor, now: string) {
  const notified: string[] = []
  for (const change of changes) {
    if (change.field === 'assigneeIds') {
      const before = new Set(change.from)
      notified.push(
        ...notifyAssigned(
          ctx,
          ticket,
          change.to.filter((id) => !before.has(id)),
          by,
          now,
        ),
      )
    }
    if (change.field === 'status' && (by.ruleId !== undefined || ticket.reporter_id !== by.userId)) {
      notified.push(ticket.reporter_id)
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
  return notified
}

const DESCRIBED: Partial<Record<FieldChange['field'], string>> = {
  assigneeIds: 'assignees changed',
  labels: 'labels changed',
  dueAt: 'due date changed',
  title: 'title changed',
  description: 'description changed',
  department: 'department changed',
  projectId: 'project changed',
}

/** "TSK-1 (Printer): status open → closed, labels changed": what watchers are told. */
export const describeChanges = (ticket: Pick<TicketRef, 'key' | 'title'>, changes: readonly FieldChange[]) =>
  `${ticket.key} (${ticket.title}): ${changes
    .map((change) =>
      change.field === 'status' || change.field === 'priority'
        ? `${change.field} ${change.from} → ${change.to}`
        : DESCRIBED[change.field],
    )
    .join(', ')}`

/** The catalog's labels for names the change's caller has already checked (in this transaction). */
function labelsOf(sql: SqlStorage, names: readonly string[]) {
  const labels = resolveLabels(sql, names)
  if (!labels.ok) throw new Error('labels are checked before a change is committed')
  return labels.value
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
  let assigned: readonly string[] = []
  for (const change of changes) {
    if (change.field === 'assigneeIds') {
      replaceAssignees(ctx.sql, row, change.to)
      assigned = change.to.filter((id) => !change.from.includes(id))
    } else if (change.field === 'labels') rowChanges.labels = labelsOf(ctx.sql, change.to)
    else rowChanges[change.field] = change.to
  }
  // A first response: a person other than the reporter changing the status.
  const responds =
    by.ruleId === undefined &&
    by.userId !== null &&
    by.userId !== row.reporter_id &&
    changes.some((change) => change.field === 'status')
  const sla = slaChange(ctx.sql, row, changes, responds, now)
  if (sla.columns) rowChanges.sla = sla.columns
  const updated = updateTicketRow(ctx.sql, row, rowChanges as RowChanges, now)
  for (const target of sla.met) countOutcome(ctx.sql, row.seq, target, updated.priority, 'met', now)
  syncTimers(ctx.sql, row, updated, now)
  if (changes.some((change) => change.field === 'assigneeIds')) {
    addWatchers(ctx.sql, row.seq, assigned, now)
    dropUnseeing(ctx.sql, row.seq)
  }
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
  if (options.notify) {
    const notified = notifyAbout(ctx, updated, changes, by, now)
    notifyWatchers(
      ctx,
      updated,
      { kind: 'watching', message: describeChanges(updated, changes), ruleId: by.ruleId },
      [by.userId, ...notified],
      now,
    )
  }
  emitTicketEvents(ctx, updateEvents(changes), () => hydrateOne(ctx.sql, updated), by, { changes })
  return updated
}

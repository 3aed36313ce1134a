/**
 * Ticket operations beside creation: read, list, update, delete, history and comments, each
 * checked against the caller's visibility and role; each mutation one transaction in which a
 * transition is checked against the stored state and the row, assignees, counters, history and rule
 * effects are written together. (Creation: `create.ts`.)
 */
import { canAssign, canDeleteTicket, seesAllTickets } from '../../domain/ticket-access'
import { diffTicket, type FieldChange, historyAction, stateOf, type TicketPatch } from '../../domain/ticket-changes'
import { allowedTransitions, canTransition } from '../../domain/ticket-lifecycle'
import type { TicketSort } from '../../domain/ticket-sort'
import type { Trigger } from '../../domain/workflow'
import type { Page, Position } from '../../lib/pagination'
import { fail, ok, type Result } from '../../lib/result'
import { forgetTicketAttachments } from '../attachments'
import type { Principal, StoreContext } from '../db/context'
import { nowIso, transact } from '../db/sql'
import { resolveLabels } from '../labels'
import { findProjectRow } from '../projects'
import { emitTicketEvents } from '../webhooks/outbox'
import { type Comment, deleteComments, findComment, insertComment, listComments } from './comments'
import { commitChanges } from './commit'
import { checkAssignees, onlyManagersAssign, projectMissing } from './create'
import { deleteHistory, type HistoryEntry, listHistory } from './history'
import { listTickets, type TicketFilter } from './list'
import {
  assigneesOf,
  countedOf,
  deleteTicketRows,
  findTicketRow,
  hydrateOne,
  type Ticket,
  ticketsAssignedTo,
  toTicket,
} from './rows'
import { runWorkflows } from './rule-run'
import { recordFirstResponse, syncTimers, uncountOutcomes } from './sla'
import { countTicketChange, uncountTicketActivity } from './stats'
import { ticketNotFound, visibleTicket, whenVisible } from './visibility'
import { notifyWatchers } from './watchers'

/** Managers and admins list every ticket; a plain user those it reported or is assigned to. */
export const listTicketsFor = (
  ctx: StoreContext,
  caller: Principal,
  filter: TicketFilter,
  sort: TicketSort,
  after: Position | null,
  limit: number,
): Result<Page<Ticket>> =>
  ok(listTickets(ctx.sql, seesAllTickets(caller) ? filter : { ...filter, involving: caller.id }, sort, after, limit))

/** `/my`: what the caller reported or is assigned to, whatever its role. */
export const listMyTickets = (
  ctx: StoreContext,
  caller: Principal,
  filter: TicketFilter,
  sort: TicketSort,
  after: Position | null,
  limit: number,
): Result<Page<Ticket>> => ok(listTickets(ctx.sql, { ...filter, involving: caller.id }, sort, after, limit))

export interface TicketUpdate {
  ticket: Ticket
  /** False when the patch changed nothing (no version bump, no history). */
  changed: boolean
}

/** Whether each change may be made: transitions, projects and assignees that exist. */
function checkChanges(ctx: StoreContext, changes: FieldChange[]): Result<null> {
  for (const change of changes) {
    if (change.field === 'status' && !canTransition(change.from, change.to)) {
      return fail('E_TICKET_INVALID_STATUS_TRANSITION', {
        from: change.from,
        to: change.to,
        allowed: allowedTransitions(change.from),
      })
    }
    if (change.field === 'projectId' && change.to !== null && !findProjectRow(ctx.sql, change.to)) {
      return projectMissing(change.to)
    }
    if (change.field === 'assigneeIds') {
      const assignees = checkAssignees(ctx, change.to)
      if (!assignees.ok) return assignees
    }
  }
  return ok(null)
}

export function updateTicket(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  patch: TicketPatch,
  expectedVersion?: number,
): Result<TicketUpdate> {
  return transact<TicketUpdate>(ctx.storage, () => {
    const row = findTicketRow(ctx.sql, id)
    if (!row) return ticketNotFound()
    const current = visibleTicket(ctx, caller, row)
    if (!current.ok) return current
    const before = current.value
    if (patch.assigneeIds !== undefined && !canAssign(caller)) return onlyManagersAssign()
    if (expectedVersion !== undefined && expectedVersion !== before.version) {
      return fail('E_PRECONDITION_FAILED', { currentVersion: before.version, expectedVersion })
    }
    let normalized = patch.assigneeIds ? { ...patch, assigneeIds: [...new Set(patch.assigneeIds)] } : patch
    if (patch.labels !== undefined) {
      const labels = resolveLabels(ctx.sql, patch.labels)
      if (!labels.ok) return labels
      normalized = { ...normalized, labels: labels.value.map((label) => label.name) }
    }
    const changes = diffTicket(before, normalized)
    const allowed = checkChanges(ctx, changes)
    if (!allowed.ok) return allowed
    if (changes.length === 0) return ok({ ticket: before, changed: false })
    const now = nowIso()
    const by = { userId: caller.id }
    const updated = commitChanges(ctx, row, changes, by, (change) => historyAction(change.field), now)
    const triggers: Trigger[] = ['ticket_updated']
    if (changes.some((change) => change.field === 'status')) triggers.push('status_changed')
    const ruled = runWorkflows(ctx, id, { triggers, before: stateOf(before) }, by, now)
    if (ruled) return ok({ ticket: ruled, changed: true })
    const assigneeIds = changes.find((change) => change.field === 'assigneeIds')?.to
    return ok({ ticket: toTicket(updated, assigneeIds ? [...assigneeIds] : before.assigneeIds), changed: true })
  })
}

/**
 * Deletes a ticket with everything that hangs off it, in one transaction: its attachments (their
 * objects queued for deletion), comments, history (with the activity it counted), its place in the
 * report counters, and its row with assignees and parties.
 */
export function deleteTicket(ctx: StoreContext, caller: Principal, id: string): Result<Ticket> {
  return transact(ctx.storage, () => {
    const row = findTicketRow(ctx.sql, id)
    if (!row) return ticketNotFound()
    const current = visibleTicket(ctx, caller, row)
    if (!current.ok) return current
    if (!canDeleteTicket(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
    const now = nowIso()
    const message = `${row.key} (${row.title}) was deleted`
    notifyWatchers(ctx, row, { kind: 'watching', message }, [caller.id], now)
    forgetTicketAttachments(ctx.sql, row.id, now)
    deleteComments(ctx.sql, row.id)
    uncountTicketActivity(ctx.sql, row.id)
    deleteHistory(ctx.sql, row.id)
    countTicketChange(ctx.sql, countedOf(row), null)
    uncountOutcomes(ctx.sql, row.seq)
    syncTimers(ctx.sql, row, null, now)
    deleteTicketRows(ctx.sql, row)
    emitTicketEvents(ctx, ['ticket.deleted'], () => current.value, { userId: caller.id })
    return ok(current.value)
  })
}

export function ticketHistory(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  after: Position | null,
  limit: number,
): Result<Page<HistoryEntry>> {
  return whenVisible(ctx, caller, id, () => ok(listHistory(ctx.sql, id, after, limit)))
}

export function ticketComments(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  after: Position | null,
  limit: number,
): Result<Page<Comment>> {
  return whenVisible(ctx, caller, id, () => ok(listComments(ctx.sql, id, after, limit)))
}

export function ticketComment(ctx: StoreContext, caller: Principal, ticketId: string, id: string): Result<Comment> {
  return whenVisible(ctx, caller, ticketId, () => {
    const comment = findComment(ctx.sql, ticketId, id)
    return comment ? ok(comment) : fail('E_COMMENT_NOT_FOUND')
  })
}

export function addComment(ctx: StoreContext, caller: Principal, ticketId: string, body: string): Result<Comment> {
  return transact(ctx.storage, () =>
    whenVisible(ctx, caller, ticketId, (ticket) => {
      const now = nowIso()
      const comment = insertComment(ctx.sql, { ticketId, authorId: caller.id, body }, now)
      const row = findTicketRow(ctx.sql, ticketId)
      if (row) {
        // A comment by anyone but the reporter is the first response, if none came before.
        const current = caller.id === row.reporter_id ? row : recordFirstResponse(ctx.sql, row, now)
        const message = `${row.key} (${row.title}): new comment`
        notifyWatchers(ctx, row, { kind: 'watching', message }, [caller.id], now)
        emitTicketEvents(
          ctx,
          ['comment.created'],
          () => (current === row ? ticket : hydrateOne(ctx.sql, current)),
          { userId: caller.id },
          { comment },
        )
      }
      return ok(comment)
    }),
  )
}

/**
 * Removes a deleted user from every ticket it was assigned to: a real change to each of those
 * tickets (version + 1, `updated_assignees` in history, by whoever deleted the user). Runs inside
 * the user deletion's transaction.
 */
export function removeFromAllAssignees(ctx: StoreContext, userId: string, byUserId: string, now: string) {
  const ticketIds = ticketsAssignedTo(ctx.sql, userId)
  const assignees = assigneesOf(ctx.sql, ticketIds)
  for (const ticketId of ticketIds) {
    const row = findTicketRow(ctx.sql, ticketId)
    if (!row) continue
    const from = assignees.get(ticketId) ?? []
    const change: FieldChange = { field: 'assigneeIds', from, to: from.filter((id) => id !== userId) }
    commitChanges(ctx, row, [change], { userId: byUserId }, () => historyAction('assigneeIds'), now, { notify: false })
  }
}

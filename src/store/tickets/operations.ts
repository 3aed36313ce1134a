/**
 * Ticket operations: create, read, update, delete, history and comments, each checked against the
 * caller's visibility and role, each mutation one transaction in which the transition is checked
 * against the stored state, the key allocated, and the row, assignees and history written together.
 */
import { DEFAULT_PRIORITY, type Priority } from '../../domain/priorities'
import { canAssign, canDeleteTicket, canSeeTicket } from '../../domain/ticket-access'
import { diffTicket, type FieldChange, historyAction, stateOf, type TicketPatch } from '../../domain/ticket-changes'
import { allowedTransitions, canTransition } from '../../domain/ticket-lifecycle'
import type { Trigger } from '../../domain/workflow'
import { fail, ok, type Result } from '../../lib/result'
import type { Page, Position, Principal, StoreContext } from '../db/context'
import { all, first, nowIso, run, transact } from '../db/sql'
import { findProjectRow } from '../projects'
import { commitChanges, notifyAssigned } from './commit'
import {
  appendHistory,
  type Comment,
  findComment,
  type HistoryEntry,
  insertComment,
  listComments,
  listHistory,
} from './history'
import { listTickets, type TicketFilter, type TicketSort } from './list'
import {
  allocateKey,
  assigneesOf,
  DEFAULT_KEY_PREFIX,
  deleteTicketRows,
  findTicketRow,
  findTicketRowByKey,
  hydrateOne,
  insertTicket,
  invalidAssignees,
  type Ticket,
  type TicketRow,
  toTicket,
} from './rows'
import { runWorkflows } from './rule-run'

export interface NewTicket {
  title: string
  description: string
  priority?: Priority
  department?: string | null
  projectId?: string | null
  assigneeIds?: string[]
}

export interface IdempotencyKey {
  key: string
  /** SHA-256 of the request body, computed by the Worker. */
  requestHash: string
}

/** Idempotency keys are honoured for 24 hours, then forgotten (and swept by the daily alarm). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

const notFound = () => fail('E_TICKET_NOT_FOUND')
const unique = (ids: readonly string[]) => [...new Set(ids)]

/** The ticket behind `row`, if the caller may see it; otherwise not found, never forbidden. */
function visible(ctx: StoreContext, caller: Principal, row: TicketRow | null): Result<Ticket> {
  if (!row) return notFound()
  const ticket = hydrateOne(ctx.sql, row)
  return canSeeTicket(caller, ticket) ? ok(ticket) : notFound()
}

function checkAssignees(ctx: StoreContext, assigneeIds: string[]): Result<string[]> {
  const invalid = invalidAssignees(ctx.sql, assigneeIds)
  return invalid.length > 0 ? fail('E_TICKET_INVALID_ASSIGNEE', { invalid }) : ok(assigneeIds)
}

const projectMissing = (projectId: string) => fail('E_PROJECT_NOT_FOUND', { projectId }, { status: 400 })

export function createTicket(
  ctx: StoreContext,
  caller: Principal,
  input: NewTicket,
  idempotency?: IdempotencyKey,
): Result<{ ticket: Ticket; replayed: boolean }> {
  return transact<{ ticket: Ticket; replayed: boolean }>(ctx.storage, () => {
    const now = nowIso()
    if (idempotency) {
      const earlier = first<{ request_hash: string; response: string }>(
        ctx.sql,
        'SELECT request_hash, response FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at > ?',
        caller.id,
        idempotency.key,
        new Date(Date.now() - IDEMPOTENCY_TTL_MS).toISOString(),
      )
      if (earlier && earlier.request_hash !== idempotency.requestHash) return fail('E_IDEMPOTENCY_KEY_REUSED')
      if (earlier) return ok({ ticket: JSON.parse(earlier.response) as Ticket, replayed: true })
    }
    const assigneeIds = unique(input.assigneeIds ?? [])
    if (assigneeIds.length > 0 && !canAssign(caller)) {
      return fail(
        'E_AUTH_INSUFFICIENT_PERMISSIONS',
        { field: 'assigneeIds' },
        { message: 'Only managers and admins assign tickets' },
      )
    }
    const assignees = checkAssignees(ctx, assigneeIds)
    if (!assignees.ok) return assignees
    const projectId = input.projectId ?? null
    const project = projectId ? findProjectRow(ctx.sql, projectId) : null
    if (projectId && !project) return projectMissing(projectId)

    const inserted = insertTicket(
      ctx.sql,
      {
        id: crypto.randomUUID(),
        key: allocateKey(ctx.sql, project?.key ?? DEFAULT_KEY_PREFIX),
        title: input.title,
        description: input.description,
        status: 'open',
        priority: input.priority ?? DEFAULT_PRIORITY,
        department: input.department ?? null,
        projectId,
        reporterId: caller.id,
        now,
      },
      assigneeIds,
    )
    const { id, version, createdAt, updatedAt, reporterId, ...created } = inserted
    appendHistory(
      ctx.sql,
      { ticketId: id, userId: caller.id, action: 'created', oldValue: null, newValue: created },
      now,
    )
    const by = { userId: caller.id }
    notifyAssigned(ctx, { id, key: inserted.key, title: inserted.title, reporter_id: reporterId }, assigneeIds, by, now)
    const ruled = runWorkflows(ctx, id, { triggers: ['ticket_created'], before: null }, by, now)
    const ticket = ruled ? hydrateOne(ctx.sql, findTicketRow(ctx.sql, id) as TicketRow) : inserted
    if (idempotency) {
      run(
        ctx.sql,
        `INSERT INTO idempotency_keys (user_id, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash,
           response = excluded.response, created_at = excluded.created_at`,
        caller.id,
        idempotency.key,
        idempotency.requestHash,
        JSON.stringify(ticket),
        now,
      )
    }
    return ok({ ticket, replayed: false })
  })
}

export const getTicket = (ctx: StoreContext, caller: Principal, id: string) =>
  visible(ctx, caller, findTicketRow(ctx.sql, id))

export const getTicketByKey = (ctx: StoreContext, caller: Principal, key: string) =>
  visible(ctx, caller, findTicketRowByKey(ctx.sql, key))

export function listTicketsFor(
  ctx: StoreContext,
  caller: Principal,
  filter: TicketFilter,
  sort: TicketSort,
  after: Position | null,
  limit: number,
): Result<Page<Ticket>> {
  const scoped = canSeeTicket(caller, { reporterId: '', assigneeIds: [] })
    ? filter
    : { ...filter, involving: caller.id }
  return ok(listTickets(ctx.sql, scoped, sort, after, limit))
}

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

export function updateTicket(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  patch: TicketPatch,
  expectedVersion?: number,
): Result<TicketUpdate> {
  return transact<TicketUpdate>(ctx.storage, () => {
    const row = findTicketRow(ctx.sql, id)
    const current = visible(ctx, caller, row)
    if (!current.ok) return current
    if (!row) return notFound()
    const before = current.value
    if (patch.assigneeIds !== undefined && !canAssign(caller)) {
      return fail(
        'E_AUTH_INSUFFICIENT_PERMISSIONS',
        { field: 'assigneeIds' },
        { message: 'Only managers and admins assign tickets' },
      )
    }
    if (expectedVersion !== undefined && expectedVersion !== before.version) {
      return fail('E_PRECONDITION_FAILED', { currentVersion: before.version, expectedVersion })
    }
    const normalized = patch.assigneeIds ? { ...patch, assigneeIds: unique(patch.assigneeIds) } : patch
    const changes = diffTicket(before, normalized)
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
        const assignees = checkAssignees(ctx, [...change.to])
        if (!assignees.ok) return assignees
      }
    }
    if (changes.length === 0) return ok({ ticket: before, changed: false })
    const now = nowIso()
    const by = { userId: caller.id }
    const updated = commitChanges(ctx, row, changes, by, (change) => historyAction(change.field), now)
    const triggers: Trigger[] = ['ticket_updated']
    if (changes.some((change) => change.field === 'status')) triggers.push('status_changed')
    if (runWorkflows(ctx, id, { triggers, before: stateOf(before) }, by, now))
      return ok({ ticket: hydrateOne(ctx.sql, findTicketRow(ctx.sql, id) as TicketRow), changed: true })
    const assigneeIds = changes.find((change) => change.field === 'assigneeIds')?.to
    const ticket = toTicket(updated, Array.isArray(assigneeIds) ? [...assigneeIds] : before.assigneeIds)
    return ok({ ticket, changed: true })
  })
}

export function deleteTicket(ctx: StoreContext, caller: Principal, id: string): Result<Ticket> {
  return transact(ctx.storage, () => {
    const current = visible(ctx, caller, findTicketRow(ctx.sql, id))
    if (!current.ok) return current
    if (!canDeleteTicket(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
    deleteTicketRows(ctx.sql, findTicketRow(ctx.sql, id) as TicketRow)
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
  const ticket = getTicket(ctx, caller, id)
  return ticket.ok ? ok(listHistory(ctx.sql, id, after, limit)) : ticket
}

export function ticketComments(
  ctx: StoreContext,
  caller: Principal,
  id: string,
  after: Position | null,
  limit: number,
): Result<Page<Comment>> {
  const ticket = getTicket(ctx, caller, id)
  return ticket.ok ? ok(listComments(ctx.sql, id, after, limit)) : ticket
}

export function ticketComment(ctx: StoreContext, caller: Principal, ticketId: string, id: string): Result<Comment> {
  const ticket = getTicket(ctx, caller, ticketId)
  if (!ticket.ok) return ticket
  const comment = findComment(ctx.sql, ticketId, id)
  return comment ? ok(comment) : fail('E_COMMENT_NOT_FOUND')
}

export function addComment(ctx: StoreContext, caller: Principal, ticketId: string, body: string): Result<Comment> {
  return transact(ctx.storage, () => {
    const ticket = getTicket(ctx, caller, ticketId)
    if (!ticket.ok) return ticket
    return ok(insertComment(ctx.sql, { ticketId, authorId: caller.id, body }, nowIso()))
  })
}

/**
 * Removes a deleted user from every ticket it was assigned to: a real change to each of those
 * tickets (version + 1, `updated_assignees` in history, by whoever deleted the user). Runs inside
 * the user deletion's transaction.
 */
export function removeFromAllAssignees(ctx: StoreContext, userId: string, byUserId: string, now: string) {
  const ticketIds = all<{ ticket_id: string }>(
    ctx.sql,
    'SELECT ticket_id FROM ticket_assignees WHERE user_id = ?',
    userId,
  ).map((row) => row.ticket_id)
  const assignees = assigneesOf(ctx.sql, ticketIds)
  for (const ticketId of ticketIds) {
    const row = findTicketRow(ctx.sql, ticketId)
    if (!row) continue
    const from = assignees.get(ticketId) ?? []
    const change: FieldChange = { field: 'assigneeIds', from, to: from.filter((id) => id !== userId) }
    commitChanges(ctx, row, [change], { userId: byUserId }, () => historyAction('assigneeIds'), now, { notify: false })
  }
}

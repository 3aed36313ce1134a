/**
 * Creating a ticket, in one transaction: the checks (assignees, project), the key, the row with its
 * assignees and parties, the report counters, the `created` history entry, the assignees'
 * notifications, and the workflow rules the creation triggers; with an idempotency key, a retry
 * returns the first result instead.
 */
import { DEFAULT_PRIORITY, type Priority } from '../../domain/priorities'
import type { Ticket } from '../../domain/ticket'
import { canAssign } from '../../domain/ticket-access'
import { DEFAULT_KEY_PREFIX } from '../../domain/ticket-keys'
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { nowIso, transact } from '../db/sql'
import { resolveLabels } from '../labels'
import { findProjectRow } from '../projects'
import { emitTicketEvents } from '../webhooks/outbox'
import { appendCountedHistory, notifyAssigned } from './commit'
import { earlierResult, type IdempotencyKey, rememberResult } from './idempotency'
import { allocateKey, insertTicketRows, invalidAssignees, toTicket } from './rows'
import { runWorkflows } from './rule-run'
import { countOutcome, initialSla, syncTimers } from './sla'
import { countTicketChange } from './stats'
import { addWatchers } from './watchers'

export interface NewTicket {
  title: string
  description: string
  priority?: Priority
  department?: string | null
  projectId?: string | null
  assigneeIds?: string[]
  labels?: string[]
  /** ISO 8601, normalised to UTC by the caller. */
  dueAt?: string | null
}

export interface CreatedTicket {
  ticket: Ticket
  /** True when this is the stored result of an earlier request with the same idempotency key. */
  replayed: boolean
}

export const onlyManagersAssign = () =>
  fail(
    'E_AUTH_INSUFFICIENT_PERMISSIONS',
    { field: 'assigneeIds' },
    { message: 'Only managers and admins assign tickets' },
  )

export const projectMissing = (projectId: string) => fail('E_PROJECT_NOT_FOUND', { projectId }, { status: 400 })

/** Assignees must be existing, active users. */
export function checkAssignees(ctx: StoreContext, assigneeIds: readonly string[]): Result<null> {
  const invalid = invalidAssignees(ctx.sql, assigneeIds)
  return invalid.length > 0 ? fail('E_TICKET_INVALID_ASSIGNEE', { invalid }) : ok(null)
}

export function createTicket(
  ctx: StoreContext,
  caller: Principal,
  input: NewTicket,
  idempotency?: IdempotencyKey,
): Result<CreatedTicket> {
  return transact<CreatedTicket>(ctx.storage, () => {
    if (!idempotency) return insertNewTicket(ctx, caller, input)
    const earlier = earlierResult(ctx.sql, caller.id, idempotency)
    if (!earlier.ok) return earlier
    if (earlier.value) return ok({ ticket: earlier.value, replayed: true })
    const created = insertNewTicket(ctx, caller, input)
    if (created.ok) rememberResult(ctx.sql, caller.id, idempotency, created.value.ticket, nowIso())
    return created
  })
}

/** The creation itself; runs inside `createTicket`'s transaction. */
function insertNewTicket(ctx: StoreContext, caller: Principal, input: NewTicket): Result<CreatedTicket> {
  const assigneeIds = [...new Set(input.assigneeIds ?? [])]
  if (assigneeIds.length > 0 && !canAssign(caller)) return onlyManagersAssign()
  const assignees = checkAssignees(ctx, assigneeIds)
  if (!assignees.ok) return assignees
  const projectId = input.projectId ?? null
  const project = projectId ? findProjectRow(ctx.sql, projectId) : null
  if (projectId && !project) return projectMissing(projectId)
  const labels = resolveLabels(ctx.sql, input.labels ?? [])
  if (!labels.ok) return labels

  const now = nowIso()
  const priority = input.priority ?? DEFAULT_PRIORITY
  const targets = initialSla(ctx.sql, priority, now)
  const row = insertTicketRows(
    ctx.sql,
    {
      id: crypto.randomUUID(),
      key: allocateKey(ctx.sql, project?.key ?? DEFAULT_KEY_PREFIX),
      title: input.title,
      description: input.description,
      status: 'open',
      priority,
      department: input.department ?? null,
      projectId,
      reporterId: caller.id,
      dueAt: input.dueAt ?? null,
    },
    assigneeIds,
    labels.value,
    now,
    targets,
  )
  addWatchers(ctx.sql, row.seq, [caller.id, ...assigneeIds], now)
  if (targets) countOutcome(ctx.sql, row.seq, 'ticket', priority, 'targeted', now)
  syncTimers(ctx.sql, null, row, now)
  const inserted = toTicket(row, assigneeIds)
  countTicketChange(ctx.sql, null, inserted)
  const { id, version, createdAt, updatedAt, reporterId, sla, ...created } = inserted
  appendCountedHistory(
    ctx.sql,
    { ticketId: id, userId: caller.id, action: 'created', oldValue: null, newValue: created },
    now,
  )
  const by = { userId: caller.id }
  notifyAssigned(ctx, { id, key: inserted.key, title: inserted.title, reporter_id: reporterId }, assigneeIds, by, now)
  emitTicketEvents(ctx, ['ticket.created'], () => inserted, by)
  const ruled = runWorkflows(ctx, id, { triggers: ['ticket_created'], before: null }, by, now)
  return ok({ ticket: ruled ?? inserted, replayed: false })
}

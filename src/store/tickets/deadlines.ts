/**
 * What the object does at a deadline (called by its alarm, which is set for the earliest row of
 * `deadlines`). An SLA target's instant is a breach, in one transaction: the ticket is marked
 * (version + 1), `sla_breached` goes into its history, workflow rules with the `sla_breached`
 * trigger run, its assignees and watchers are notified, and the `ticket.sla_breached` webhook event
 * is written to the outbox. A due date's instant makes the ticket overdue (the dashboard's counter).
 * Deadlines already past when the object starts (it was not running) are just as due; a burst is
 * worked off in bounded batches, the alarm coming back at once while any remain; one whose handling
 * throws (its transaction rolls back) is postponed by five minutes, so it cannot hold up the rest.
 */
import type { SlaTarget } from '../../domain/ticket'
import { stateOf } from '../../domain/ticket-changes'
import type { StoreContext } from '../db/context'
import { all, first, run } from '../db/sql'
import { emitTicketEvents } from '../webhooks/outbox'
import { appendHistory } from './history'
import { hydrateOne, type TicketRow, updateTicketRow } from './rows'
import { runWorkflows } from './rule-run'
import { countOutcome, markOverdue, slaColumns, slaStateOf, syncTimers } from './sla'
import { notifyWatchers } from './watchers'

/** Deadlines handled per transaction batch, and batches per alarm run. */
export const DEADLINE_BATCH = 50
export const DEADLINE_BATCHES_PER_RUN = 10

type DeadlineRow = { seq: number; kind: SlaTarget | 'due'; due_at: string }

/** The earliest pending deadline, in ms since the epoch, or null. */
export function nextDeadline(sql: SqlStorage): number | null {
  const row = first<{ at: string | null }>(sql, 'SELECT min(due_at) AS at FROM deadlines')
  return row?.at ? Date.parse(row.at) : null
}

const TARGET_NAMES: Record<SlaTarget, string> = { first_response: 'first response', resolution: 'resolution' }

function breach(ctx: StoreContext, row: TicketRow, target: SlaTarget, dueAt: string, now: string) {
  const before = slaStateOf(row)
  if (before.breached.includes(target)) return
  const columns = slaColumns({ ...before, breached: [...before.breached, target] })
  const updated = updateTicketRow(ctx.sql, row, { sla: columns }, now)
  countOutcome(ctx.sql, row.seq, target, updated.priority, 'breached', now)
  syncTimers(ctx.sql, row, updated, now)
  appendHistory(
    ctx.sql,
    { ticketId: row.id, userId: null, action: 'sla_breached', oldValue: null, newValue: { target, dueAt } },
    now,
  )
  const ticket = hydrateOne(ctx.sql, updated)
  const message = `${row.key} (${row.title}) missed its ${TARGET_NAMES[target]} target (due ${dueAt})`
  notifyWatchers(ctx, updated, { kind: 'sla_breached', message }, [], now, ticket.assigneeIds)
  emitTicketEvents(ctx, ['ticket.sla_breached'], () => ticket, { userId: null }, { breach: { target, dueAt } })
  const state = stateOf(ticket)
  runWorkflows(ctx, row.id, { triggers: ['sla_breached'], before: state }, { userId: null }, now)
}

function fire(ctx: StoreContext, deadline: DeadlineRow, now: string) {
  run(ctx.sql, 'DELETE FROM deadlines WHERE seq = ? AND kind = ?', deadline.seq, deadline.kind)
  const row = first<TicketRow>(ctx.sql, 'SELECT * FROM tickets WHERE seq = ?', deadline.seq)
  if (!row) return
  if (deadline.kind === 'due') markOverdue(ctx.sql, row, now)
  else breach(ctx, row, deadline.kind, deadline.due_at, now)
}

/** How long a deadline whose handling failed waits before it is tried again. */
export const RETRY_FAILED_DEADLINE_MS = 5 * 60 * 1000

function postpone(sql: SqlStorage, deadline: DeadlineRow, now: number, error: unknown) {
  const retryAt = new Date(now + RETRY_FAILED_DEADLINE_MS).toISOString()
  run(sql, 'UPDATE deadlines SET due_at = ? WHERE seq = ? AND kind = ?', retryAt, deadline.seq, deadline.kind)
  const message = error instanceof Error ? error.message : String(error)
  console.error(
    JSON.stringify({
      level: 'error',
      msg: 'deadline failed',
      seq: deadline.seq,
      kind: deadline.kind,
      error: message,
      retryAt,
    }),
  )
}

/**
 * Handles the deadlines due at `now`, oldest first: each in its own transaction, at most
 * DEADLINE_BATCH × DEADLINE_BATCHES_PER_RUN per call. Returns whether more are due.
 */
export function fireDueDeadlines(ctx: StoreContext, now = Date.now()): boolean {
  const at = new Date(now).toISOString()
  for (let batch = 0; batch < DEADLINE_BATCHES_PER_RUN; batch++) {
    const due = all<DeadlineRow>(
      ctx.sql,
      'SELECT seq, kind, due_at FROM deadlines WHERE due_at <= ? ORDER BY due_at LIMIT ?',
      at,
      DEADLINE_BATCH,
    )
    if (due.length === 0) return false
    for (const deadline of due) {
      try {
        ctx.storage.transactionSync(() => fire(ctx, deadline, at))
      } catch (error) {
        // One deadline that cannot be handled must not hold up those behind it: it is retried later.
        postpone(ctx.sql, deadline, now, error)
      }
    }
  }
  const next = nextDeadline(ctx.sql)
  return next !== null && next <= now
}

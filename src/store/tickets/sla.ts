/**
 * SLA targets and due dates in the store: the workspace's policies, a ticket's SLA state in its
 * row, and the timers that follow the row. Every pending instant (a target not yet met or breached
 * on a running clock, a due date still ahead) is a row of `deadlines`, rewritten in the transaction
 * of each change that moves it; the object's alarm wakes at the earliest (`deadlines.ts`). Two
 * counters follow too: `overdue_open` (due date passed, not closed; flagged on the row, since
 * time, not a change, makes a ticket overdue) and `sla_breached_open` (a target breached, not
 * closed). The SLA report counts, per day and priority, tickets given targets and targets met and
 * breached; `sla_outcomes` remembers each count so a deleted ticket is uncounted exactly.
 */
import { PRIORITIES, type Priority } from '../../domain/priorities'
import {
  applyChange,
  hasTargets,
  NO_POLICIES,
  pendingDeadlines,
  type SlaPolicies,
  type SlaState,
  startState,
} from '../../domain/sla'
import type { SlaTarget } from '../../domain/ticket'
import type { FieldChange } from '../../domain/ticket-changes'
import type { Status } from '../../domain/ticket-lifecycle'
import { dayOf } from '../../domain/ticket-stats'
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { readMeta, writeMeta } from '../db/meta'
import { all, run } from '../db/sql'
import { type SlaColumns, type TicketRow, updateTicketRow } from './rows'

export const OVERDUE_OPEN = 'overdue_open'
export const SLA_BREACHED_OPEN = 'sla_breached_open'

export function readPolicies(sql: SqlStorage): SlaPolicies {
  const stored = readMeta(sql, 'sla_policies')
  return stored ? (JSON.parse(stored) as SlaPolicies) : NO_POLICIES
}

/**
 * Replaces the workspace's SLA policies (admins). They apply to tickets created, or given a new
 * priority, from then on; the targets of existing tickets stay as they were computed.
 */
export function replacePolicies(ctx: StoreContext, caller: Principal, policies: SlaPolicies): Result<SlaPolicies> {
  if (caller.role !== 'admin') return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  writeMeta(ctx.sql, 'sla_policies', JSON.stringify(policies))
  return ok(policies)
}

export const slaStateOf = (row: TicketRow): SlaState => ({
  createdAt: row.created_at,
  firstResponseDueAt: row.sla_first_response_due_at,
  resolutionDueAt: row.sla_resolution_due_at,
  firstRespondedAt: row.sla_first_responded_at,
  resolvedAt: row.sla_resolved_at,
  breached: JSON.parse(row.sla_breached) as SlaTarget[],
  pausedSince: row.sla_paused_since,
  pausedMs: row.sla_paused_ms,
})

export const slaColumns = (state: SlaState): SlaColumns => ({
  sla_first_response_due_at: state.firstResponseDueAt,
  sla_resolution_due_at: state.resolutionDueAt,
  sla_first_responded_at: state.firstRespondedAt,
  sla_resolved_at: state.resolvedAt,
  sla_breached: JSON.stringify(state.breached),
  sla_paused_since: state.pausedSince,
  sla_paused_ms: state.pausedMs,
})

function bump(sql: SqlStorage, key: string, delta: number) {
  if (delta === 0) return
  run(
    sql,
    'INSERT INTO ticket_counters (key, n) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET n = n + excluded.n',
    key,
    delta,
  )
}

type Outcome = 'targeted' | 'met' | 'breached'
const OUTCOME_COLUMNS = { targeted: 'targeted', met: 'met', breached: 'breached' } as const

/** Counts an outcome once per ticket and target ('ticket' for "given targets"). */
export function countOutcome(
  sql: SqlStorage,
  seq: number,
  target: SlaTarget | 'ticket',
  priority: string,
  outcome: Outcome,
  now: string,
) {
  const inserted = run(
    sql,
    'INSERT OR IGNORE INTO sla_outcomes (seq, target, priority, outcome, day) VALUES (?, ?, ?, ?, ?)',
    seq,
    target,
    priority,
    outcome,
    dayOf(now),
  )
  if (inserted === 0) return
  const column = OUTCOME_COLUMNS[outcome]
  run(
    sql,
    `INSERT INTO sla_daily (day, priority, ${column}) VALUES (?, ?, 1)
     ON CONFLICT (day, priority) DO UPDATE SET ${column} = ${column} + 1`,
    dayOf(now),
    priority,
  )
}

/** Removes what a ticket counted in the SLA report (before the ticket goes). */
export function uncountOutcomes(sql: SqlStorage, seq: number) {
  for (const row of all<{ priority: string; outcome: Outcome; day: string }>(
    sql,
    'SELECT priority, outcome, day FROM sla_outcomes WHERE seq = ?',
    seq,
  )) {
    const column = OUTCOME_COLUMNS[row.outcome]
    run(sql, `UPDATE sla_daily SET ${column} = ${column} - 1 WHERE day = ? AND priority = ?`, row.day, row.priority)
  }
  run(sql, 'DELETE FROM sla_outcomes WHERE seq = ?', seq)
}

/** A new ticket's SLA columns from the policy for its priority; undefined when it has no targets. */
export function initialSla(sql: SqlStorage, priority: Priority, createdAt: string): SlaColumns | undefined {
  const targets = readPolicies(sql).priorities[priority]
  return targets && hasTargets(targets) ? slaColumns(startState(createdAt, targets)) : undefined
}

/**
 * What a change does to a ticket's SLA state (`responds`: it is a first response, a person other
 * than the reporter changing the status or commenting). Returns the columns to write with the
 * change (none when nothing moves) and the targets it met.
 */
export function slaChange(
  sql: SqlStorage,
  row: TicketRow,
  changes: readonly FieldChange[],
  responds: boolean,
  now: string,
): { columns: SlaColumns | undefined; met: SlaTarget[] } {
  const status = changes.find((change) => change.field === 'status')
  const priority = changes.find((change) => change.field === 'priority')
  const before = slaStateOf(row)
  const untargeted = before.firstResponseDueAt === null && before.resolutionDueAt === null
  // A ticket without targets and without a new priority has nothing to move: no policy lookup.
  if (untargeted && !priority) return { columns: undefined, met: [] }
  const policies = readPolicies(sql)
  const { state, met } = applyChange(before, {
    from: (status?.from ?? row.status) as Status,
    to: (status?.to ?? row.status) as Status,
    newTargets: priority ? policies.priorities[priority.to as Priority] : undefined,
    responds,
    pauseWhileBlocked: policies.pauseWhileBlocked,
    now,
  })
  const columns = slaColumns(state)
  const previous = slaColumns(before)
  const moved = Object.keys(columns).some(
    (key) => columns[key as keyof SlaColumns] !== previous[key as keyof SlaColumns],
  )
  return { columns: moved ? columns : undefined, met }
}

/**
 * Records a first response that is not a field change (a comment by someone other than the
 * reporter): the ticket's SLA state moves (version + 1) once; returns the row as it is now.
 */
export function recordFirstResponse(sql: SqlStorage, row: TicketRow, now: string): TicketRow {
  if (row.sla_first_responded_at !== null) return row
  const { columns, met } = slaChange(sql, row, [], true, now)
  if (!columns) return row
  const updated = updateTicketRow(sql, row, { sla: columns }, now)
  for (const target of met) countOutcome(sql, row.seq, target, updated.priority, 'met', now)
  syncTimers(sql, row, updated, now)
  return updated
}

const timed = (row: TicketRow | null) =>
  row !== null && (row.due_at !== null || row.sla_first_response_due_at !== null || row.sla_resolution_due_at !== null)

const TIMER_COLUMNS = [
  'status',
  'due_at',
  'sla_first_response_due_at',
  'sla_resolution_due_at',
  'sla_first_responded_at',
  'sla_resolved_at',
  'sla_breached',
  'sla_paused_since',
] as const

/** Whether a change touched anything the timers depend on (a title change does not). */
const moved = (before: TicketRow | null, after: TicketRow | null) =>
  !before || !after || TIMER_COLUMNS.some((column) => before[column] !== after[column])

const breachedOpen = (row: TicketRow | null) => row !== null && row.sla_breached !== '[]' && row.status !== 'closed'

/**
 * Brings the timers of a ticket in step with its row after a change (`after` null: deleted): its
 * `deadlines` rows, its overdue flag and the two counters. Runs in the change's transaction.
 */
export function syncTimers(sql: SqlStorage, before: TicketRow | null, after: TicketRow | null, now: string) {
  bump(sql, SLA_BREACHED_OPEN, Number(breachedOpen(after)) - Number(breachedOpen(before)))
  const seq = (after ?? before)?.seq
  if (seq === undefined || (!timed(before) && !timed(after)) || !moved(before, after)) return
  run(sql, 'DELETE FROM deadlines WHERE seq = ?', seq)
  if (!after) {
    if (before?.overdue_counted) bump(sql, OVERDUE_OPEN, -1)
    return
  }
  for (const { target, dueAt } of pendingDeadlines(slaStateOf(after))) {
    run(sql, 'INSERT INTO deadlines (seq, kind, due_at) VALUES (?, ?, ?)', seq, target, dueAt)
  }
  if (after.due_at !== null && after.due_at > now) {
    run(sql, "INSERT INTO deadlines (seq, kind, due_at) VALUES (?, 'due', ?)", seq, after.due_at)
  }
  markOverdue(sql, after, now)
}

/** Sets the row's overdue flag (and the counter) to what the clock says now. */
export function markOverdue(sql: SqlStorage, row: TicketRow, now: string) {
  const overdue = row.due_at !== null && row.due_at <= now && row.status !== 'closed'
  if (overdue === Boolean(row.overdue_counted)) return
  run(sql, 'UPDATE tickets SET overdue_counted = ? WHERE seq = ?', Number(overdue), row.seq)
  bump(sql, OVERDUE_OPEN, overdue ? 1 : -1)
}

/** The SLA report: per priority, over the last `days` UTC days. */
export function slaReport(sql: SqlStorage, since: string) {
  const rows = new Map(
    all<{ priority: string; targeted: number; met: number; breached: number }>(
      sql,
      `SELECT priority, sum(targeted) AS targeted, sum(met) AS met, sum(breached) AS breached
       FROM sla_daily WHERE day >= ? GROUP BY priority`,
      since,
    ).map((row) => [row.priority, row]),
  )
  return PRIORITIES.map((priority) => {
    const row = rows.get(priority)
    const met = row?.met ?? 0
    const breached = row?.breached ?? 0
    return {
      priority,
      ticketsWithTargets: row?.targeted ?? 0,
      met,
      breached,
      complianceRate: met + breached === 0 ? null : Math.round((met / (met + breached)) * 10_000) / 10_000,
    }
  })
}

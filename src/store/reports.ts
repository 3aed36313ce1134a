/**
 * Reports. Workspace-wide numbers come from the aggregate tables (a handful of primary-key rows,
 * whatever the number of tickets); a plain user's dashboard counts only its own tickets through
 * indexed queries bounded by what it can see. Numbers are exact at the moment of the request.
 */
import { activityMessage } from '../domain/activity-message'
import { PRIORITIES } from '../domain/priorities'
import { seesAllTickets } from '../domain/ticket-access'
import { STATUSES } from '../domain/ticket-lifecycle'
import {
  departmentKey,
  openPriorityKey,
  priorityKey,
  statusKey,
  UNASSIGNED_DEPARTMENT,
  windowStart,
} from '../domain/ticket-stats'
import type { Principal, StoreContext } from './db/context'
import { all } from './db/sql'
import { OVERDUE_OPEN, SLA_BREACHED_OPEN, slaReport } from './tickets/sla'
import { readCounters } from './tickets/stats'

const RECENT_ACTIVITY = 10

/** The ids of the tickets a user reported or is assigned to, through its `ticket_parties` rows. */
const VISIBLE = 'SELECT t.id FROM ticket_parties p JOIN tickets t ON t.seq = p.seq WHERE p.user_id = ?'

/** Counters over the tickets the caller may see: all of them (aggregates) or its own (indexed). */
function countersFor(ctx: StoreContext, caller: Principal): Map<string, number> {
  if (seesAllTickets(caller)) return readCounters(ctx.sql)
  const counters = new Map<string, number>()
  const add = (key: string, n: number) => counters.set(key, (counters.get(key) ?? 0) + n)
  // One walk over the caller's tickets gives every counter, the overdue and breached ones included.
  const rows = all<{
    status: string
    priority: string
    department: string | null
    n: number
    overdue: number
    breached: number
  }>(
    ctx.sql,
    `SELECT t.status, t.priority, t.department, count(*) AS n, sum(t.overdue_counted) AS overdue,
       sum(t.sla_breached != '[]' AND t.status != 'closed') AS breached
     FROM ticket_parties p JOIN tickets t ON t.seq = p.seq
     WHERE p.user_id = ? GROUP BY t.status, t.priority, t.department`,
    caller.id,
  )
  for (const row of rows) {
    add(statusKey(row.status), row.n)
    add(priorityKey(row.priority), row.n)
    add(departmentKey(row.department), row.n)
    if (row.status !== 'closed') add(openPriorityKey(row.priority), row.n)
    add(OVERDUE_OPEN, row.overdue)
    add(SLA_BREACHED_OPEN, row.breached)
  }
  return counters
}

const byDepartment = (counters: Map<string, number>) =>
  [...counters]
    .filter(([key, n]) => key.startsWith('department:') && n > 0)
    .map(([key, count]) => ({ department: key.slice('department:'.length) || UNASSIGNED_DEPARTMENT, count }))
    .sort((a, b) => b.count - a.count || a.department.localeCompare(b.department))

const byPriority = (counters: Map<string, number>) =>
  PRIORITIES.map((priority) => ({ priority, count: counters.get(priorityKey(priority)) ?? 0 }))

const byStatus = (counters: Map<string, number>) =>
  STATUSES.map((status) => ({ status, count: counters.get(statusKey(status)) ?? 0 }))

function recentActivity(ctx: StoreContext, caller: Principal) {
  const scope = seesAllTickets(caller) ? '' : `WHERE h.ticket_id IN (${VISIBLE})`
  const rows = all<{
    id: string
    ticket_id: string
    action: string
    new_value: string | null
    created_at: string
    key: string
    actor: string | null
    rule: string | null
  }>(
    ctx.sql,
    `SELECT h.id, h.ticket_id, h.action, h.new_value, h.created_at, t.key, u.name AS actor, r.name AS rule
     FROM ticket_history h JOIN tickets t ON t.id = h.ticket_id
     LEFT JOIN users u ON u.id = h.user_id LEFT JOIN workflow_rules r ON r.id = h.rule_id
     ${scope} ORDER BY h.seq DESC LIMIT ${RECENT_ACTIVITY}`,
    ...(scope ? [caller.id] : []),
  )
  return rows.map((row) => ({
    id: row.id,
    ticketId: row.ticket_id,
    ticketKey: row.key,
    message: activityMessage({
      action: row.action,
      actorName: row.actor,
      ruleName: row.rule,
      ticketKey: row.key,
      newValue: row.new_value === null ? null : JSON.parse(row.new_value),
    }),
    createdAt: row.created_at,
  }))
}

export function dashboard(ctx: StoreContext, caller: Principal) {
  const counters = countersFor(ctx, caller)
  const status = (name: string) => counters.get(statusKey(name)) ?? 0
  return {
    openTickets: status('open'),
    inProgressTickets: status('in_progress'),
    blockedTickets: status('blocked'),
    closedTickets: status('closed'),
    criticalTickets: counters.get(openPriorityKey('critical')) ?? 0,
    overdueTickets: counters.get(OVERDUE_OPEN) ?? 0,
    slaBreachedOpen: counters.get(SLA_BREACHED_OPEN) ?? 0,
    ticketsByDepartment: byDepartment(counters),
    ticketsByPriority: byPriority(counters),
    recentActivity: recentActivity(ctx, caller),
  }
}

const metadata = (counters: Map<string, number>) => ({
  totalTickets: STATUSES.reduce((sum, status) => sum + (counters.get(statusKey(status)) ?? 0), 0),
  generatedAt: new Date().toISOString(),
})

export function ticketsByStatus(ctx: StoreContext) {
  const counters = readCounters(ctx.sql)
  return { data: byStatus(counters), metadata: metadata(counters) }
}

export function ticketsByPriority(ctx: StoreContext) {
  const counters = readCounters(ctx.sql)
  return { data: byPriority(counters), metadata: metadata(counters) }
}

export function ticketsByDepartment(ctx: StoreContext) {
  const counters = readCounters(ctx.sql)
  return { data: byDepartment(counters), metadata: metadata(counters) }
}

export function userActivity(ctx: StoreContext, days: number) {
  const rows = all<{ user_id: string; name: string; created: number; assigned: number; closed: number }>(
    ctx.sql,
    `SELECT a.user_id, u.name, sum(a.created) AS created, sum(a.assigned) AS assigned, sum(a.closed) AS closed
     FROM user_activity a JOIN users u ON u.id = a.user_id
     WHERE a.day >= ? GROUP BY a.user_id, u.name
     HAVING sum(a.created) + sum(a.assigned) + sum(a.closed) > 0
     ORDER BY sum(a.created) + sum(a.assigned) + sum(a.closed) DESC, u.name, a.user_id`,
    windowStart(new Date(), days),
  )
  return {
    data: rows.map((row) => ({
      userId: row.user_id,
      userName: row.name,
      ticketsCreated: row.created,
      ticketsAssigned: row.assigned,
      ticketsClosed: row.closed,
    })),
    metadata: { days, generatedAt: new Date().toISOString() },
  }
}

/** SLA compliance per priority over the last `days` UTC days, from the daily aggregates. */
export function slaCompliance(ctx: StoreContext, days: number) {
  return {
    data: slaReport(ctx.sql, windowStart(new Date(), days)),
    metadata: { days, generatedAt: new Date().toISOString() },
  }
}

/**
 * Report aggregates, kept in step in the same transaction as every change that moves them:
 * `ticket_counters` (tickets per status, priority, department, open priority) and `user_activity`
 * (per UTC day and user: created, assigned, closed). Reading a workspace-wide report is then a
 * handful of primary-key rows, whatever the number of tickets.
 */
import { activityOf, type CountedTicket, counterDeltas } from '../../domain/ticket-stats'
import { all, first, run } from '../db/sql'
import { historyOf } from './history'

export function countTicketChange(sql: SqlStorage, before: CountedTicket | null, after: CountedTicket | null) {
  const deltas = [...counterDeltas(before, after)]
  if (deltas.length === 0) return
  // One statement for all of a change's counters (a create or a status change moves two to four).
  run(
    sql,
    `INSERT INTO ticket_counters (key, n) VALUES ${deltas.map(() => '(?, ?)').join(', ')}
     ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`,
    ...deltas.flat(),
  )
}

const KIND_COLUMNS = { created: 'created', assigned: 'assigned', closed: 'closed' } as const

/**
 * Adds (or, with -1, removes) the activity a history entry stands for. Called by the operations
 * that write the entries that can stand for activity: a ticket's creation and committed changes.
 */
export function countActivity(sql: SqlStorage, entry: Parameters<typeof activityOf>[0], sign: 1 | -1) {
  for (const event of activityOf(entry)) {
    const column = KIND_COLUMNS[event.kind]
    run(
      sql,
      `INSERT INTO user_activity (day, user_id, ${column}) VALUES (?, ?, ?)
       ON CONFLICT (day, user_id) DO UPDATE SET ${column} = ${column} + excluded.${column}`,
      event.day,
      event.userId,
      sign,
    )
  }
}

/** Removes the activity of all of a ticket's history, before the ticket and its history go. */
export function uncountTicketActivity(sql: SqlStorage, ticketId: string) {
  for (const entry of historyOf(sql, ticketId)) countActivity(sql, entry, -1)
}

export const readCounters = (sql: SqlStorage) =>
  new Map(
    all<{ key: string; n: number }>(
      sql,
      "SELECT key, n FROM ticket_counters WHERE n != 0 AND key NOT LIKE 'label:%'",
    ).map((row) => [row.key, row.n]),
  )

export const counter = (sql: SqlStorage, key: string) =>
  first<{ n: number }>(sql, 'SELECT n FROM ticket_counters WHERE key = ?', key)?.n ?? 0

/**
 * Who is involved in a ticket: its reporter and assignees, one `ticket_parties` row each, keyed by
 * user and creation order (so "my tickets, newest first" reads one index range), with a count per
 * user in `party_counts` kept in step (so `/my`'s `X-Total-Count` is one row).
 */
import { first, run } from '../db/sql'

/** Records the parties of a ticket (duplicates dropped), adding one to each one's count. */
export function addParties(sql: SqlStorage, seq: number, userIds: readonly string[]) {
  const distinct = [...new Set(userIds)]
  const rows = distinct.map(() => '(?, ?)').join(', ')
  run(sql, `INSERT INTO ticket_parties (user_id, seq) VALUES ${rows}`, ...distinct.flatMap((id) => [id, seq]))
  run(
    sql,
    `INSERT INTO party_counts (user_id, n) VALUES ${rows} ON CONFLICT (user_id) DO UPDATE SET n = n + 1`,
    ...distinct.flatMap((id) => [id, 1]),
  )
}

/** Removes a ticket's party rows, subtracting one from each one's count. */
export function clearParties(sql: SqlStorage, seq: number) {
  run(sql, 'UPDATE party_counts SET n = n - 1 WHERE user_id IN (SELECT user_id FROM ticket_parties WHERE seq = ?)', seq)
  run(sql, 'DELETE FROM ticket_parties WHERE seq = ?', seq)
}

/** How many tickets a user reported or is assigned to. */
export const partyCount = (sql: SqlStorage, userId: string) =>
  first<{ n: number }>(sql, 'SELECT n FROM party_counts WHERE user_id = ?', userId)?.n ?? 0

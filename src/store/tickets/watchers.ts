/**
 * Watchers: who hears about every change to a ticket. The reporter and each assignee start
 * watching on their own; anyone may watch or stop watching; managers may add or remove others. A
 * plain user may watch only a ticket it can see (one it reported or is assigned to), so it stops
 * watching one it can no longer see: when it is unassigned, or demoted to a plain user.
 */
import type { Role } from '../../domain/roles'
import { canAssign, canSeeTicket } from '../../domain/ticket-access'
import type { Page, Position } from '../../lib/pagination'
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { seqPage } from '../db/paging'
import { all, first, nowIso, run, transact } from '../db/sql'
import { notify } from '../notifications'
import { findTicketRow, type TicketRow } from './rows'
import { visibleTicket } from './visibility'

export interface Watcher {
  userId: string
  name: string
  since: string
}

type WatcherRow = { seq: number; user_id: string; name: string; created_at: string }

/** Adds watchers (already watching: nothing changes). */
export function addWatchers(sql: SqlStorage, ticketSeq: number, userIds: readonly string[], now: string) {
  if (userIds.length === 0) return
  run(
    sql,
    `INSERT OR IGNORE INTO ticket_watchers (ticket_seq, user_id, created_at)
     SELECT ?, value, ? FROM json_each(?)`,
    ticketSeq,
    now,
    JSON.stringify([...new Set(userIds)]),
  )
}

/** Plain users watching a ticket they are no longer a party to stop watching it. */
export const dropUnseeing = (sql: SqlStorage, ticketSeq: number) =>
  run(
    sql,
    `DELETE FROM ticket_watchers WHERE ticket_seq = ?
     AND user_id IN (SELECT id FROM users WHERE role = 'user')
     AND user_id NOT IN (SELECT user_id FROM ticket_parties WHERE seq = ?)`,
    ticketSeq,
    ticketSeq,
  )

/** A user who became a plain user stops watching the tickets it cannot see; a deleted one, all. */
export const dropUserWatches = (sql: SqlStorage, userId: string, all = false) =>
  run(
    sql,
    all
      ? 'DELETE FROM ticket_watchers WHERE user_id = ?'
      : `DELETE FROM ticket_watchers WHERE user_id = ?1
         AND ticket_seq NOT IN (SELECT seq FROM ticket_parties WHERE user_id = ?1)`,
    userId,
  )

/**
 * Notifies a ticket's watchers (and `also`: the assignees, for a breach) of a change (kind
 * `watching`, or `sla_breached`), except `except` (who made the change, and whoever already got a
 * notification about it). Inactive users, and plain users who cannot see the ticket, are skipped.
 */
export function notifyWatchers(
  ctx: StoreContext,
  ticket: Pick<TicketRow, 'seq' | 'id'>,
  notification: { kind: 'watching' | 'sla_breached'; message: string; ruleId?: string | null },
  except: readonly (string | null)[],
  now: string,
  also: readonly string[] = [],
) {
  const skip = new Set(except)
  const recipients = all<{ id: string }>(
    ctx.sql,
    `SELECT u.id FROM users u
     WHERE u.id IN (SELECT user_id FROM ticket_watchers WHERE ticket_seq = ?1 UNION SELECT value FROM json_each(?2))
       AND u.active = 1
       AND (u.role != 'user' OR EXISTS (SELECT 1 FROM ticket_parties p WHERE p.user_id = u.id AND p.seq = ?1))`,
    ticket.seq,
    JSON.stringify(also),
  )
    .map((row) => row.id)
    .filter((id) => !skip.has(id))
  if (recipients.length === 0) return
  notify(
    ctx.sql,
    {
      userIds: recipients,
      ticketId: ticket.id,
      ruleId: notification.ruleId ?? null,
      kind: notification.kind,
      message: notification.message,
    },
    ctx.emailEnabled,
    now,
  )
}

const toWatcher = (row: WatcherRow): Watcher => ({ userId: row.user_id, name: row.name, since: row.created_at })

export function listWatchers(
  ctx: StoreContext,
  caller: Principal,
  ticketId: string,
  after: Position | null,
  limit: number,
): Result<Page<Watcher>> {
  const row = findTicketRow(ctx.sql, ticketId)
  const ticket = visibleTicket(ctx, caller, row)
  if (!ticket.ok || !row) return ticket as Result<never>
  return ok(
    seqPage<WatcherRow, Watcher>(
      ctx.sql,
      {
        table:
          '(SELECT w.seq, w.user_id, u.name, w.created_at, w.ticket_seq FROM ticket_watchers w JOIN users u ON u.id = w.user_id)',
        where: 'ticket_seq = ?',
        params: [row.seq],
      },
      after,
      limit,
      toWatcher,
    ),
  )
}

/**
 * Starts (`watch`) or stops a user watching a ticket the caller can see; idempotent. A caller may
 * do it for itself; only managers and admins for someone else, who must be an active user and,
 * if a plain user, one who can see the ticket.
 */
export function setWatching(
  ctx: StoreContext,
  caller: Principal,
  ticketId: string,
  userId: string,
  watch: boolean,
): Result<null> {
  return transact(ctx.storage, () => {
    const row = findTicketRow(ctx.sql, ticketId)
    const ticket = visibleTicket(ctx, caller, row)
    if (!ticket.ok || !row) return ticket as Result<never>
    if (userId !== caller.id && !canAssign(caller)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
    if (!watch) {
      run(ctx.sql, 'DELETE FROM ticket_watchers WHERE ticket_seq = ? AND user_id = ?', row.seq, userId)
      return ok(null)
    }
    const user = first<{ id: string; role: Role }>(
      ctx.sql,
      'SELECT id, role FROM users WHERE id = ? AND active = 1',
      userId,
    )
    if (!user) return fail('E_USER_NOT_FOUND')
    if (!canSeeTicket(user, ticket.value)) return fail('E_WATCHER_NOT_ALLOWED', { userId })
    addWatchers(ctx.sql, row.seq, [userId], nowIso())
    return ok(null)
  })
}

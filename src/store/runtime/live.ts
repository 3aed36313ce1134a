/**
 * Live updates over WebSockets, held by the Workspace with the hibernation API (an idle socket
 * costs no memory or CPU). Each socket is tagged with its user, its session and its scope; after a
 * change commits, the Durable Object sends a small event to the sockets allowed to see it: managers
 * and admins (scope `all`) and the ticket's reporter and assignees. Ending a session closes its
 * sockets, so a revoked token stops receiving at once.
 */
import { seesAllTickets } from '../../domain/ticket-access'
import type { Principal } from '../db/context'
import { all } from '../db/sql'
import type { Ticket } from '../tickets/rows'

export type LiveEvent =
  | { type: 'ticket.created' | 'ticket.updated'; ticket: Ticket }
  | { type: 'ticket.deleted'; ticketId: string; key: string }
  | { type: 'comment.created'; ticketId: string; commentId: string }
  | { type: 'attachment.created' | 'attachment.deleted'; ticketId: string; attachmentId: string }
  | { type: 'notification.created'; notificationId: string; ticketId: string | null; message: string }

/** Close code for sockets whose session ended (logout, password change, deactivation, deletion). */
export const SESSION_ENDED = 4001

const userTag = (id: string) => `user:${id}`
const sessionTag = (id: string) => `session:${id}`
const tokenTag = (id: string) => `token:${id}`
const ALL = 'scope:all'

export function accept(state: DurableObjectState, caller: Principal): Response {
  const { 0: client, 1: server } = new WebSocketPair()
  const tags = [userTag(caller.id), caller.tokenId ? tokenTag(caller.tokenId) : sessionTag(caller.sessionId)]
  if (seesAllTickets(caller)) tags.push(ALL)
  state.acceptWebSocket(server, tags)
  server.send(JSON.stringify({ type: 'ready', userId: caller.id }))
  return new Response(null, { status: 101, webSocket: client })
}

function send(sockets: Iterable<WebSocket>, event: LiveEvent | { type: string }) {
  const data = JSON.stringify({ ...event, at: new Date().toISOString() })
  for (const socket of sockets) {
    try {
      socket.send(data)
    } catch {
      // A socket that is closing: the runtime reports its close separately.
    }
  }
}

/** Sends a ticket event to staff and to the ticket's reporter and assignees, each socket once. */
export function publishTicketEvent(
  state: DurableObjectState,
  parties: { reporterId: string; assigneeIds: readonly string[] },
  event: LiveEvent,
) {
  const sockets = new Set(state.getWebSockets(ALL))
  for (const id of new Set([parties.reporterId, ...parties.assigneeIds])) {
    for (const socket of state.getWebSockets(userTag(id))) sockets.add(socket)
  }
  if (sockets.size > 0) send(sockets, event)
}

/** The newest notification sequence number, to find what one operation wrote. */
export const lastNotificationSeq = (sql: SqlStorage) =>
  all<{ seq: number | null }>(sql, 'SELECT max(seq) AS seq FROM notifications')[0]?.seq ?? 0

/** Pushes notifications written after `sinceSeq` to their recipients' sockets. */
export function publishNotifications(state: DurableObjectState, sql: SqlStorage, sinceSeq: number) {
  const rows = all<{ id: string; user_id: string; ticket_id: string | null; message: string }>(
    sql,
    'SELECT id, user_id, ticket_id, message FROM notifications WHERE seq > ? ORDER BY seq',
    sinceSeq,
  )
  for (const row of rows) {
    const sockets = state.getWebSockets(userTag(row.user_id))
    if (sockets.length > 0) {
      send(sockets, {
        type: 'notification.created',
        notificationId: row.id,
        ticketId: row.ticket_id,
        message: row.message,
      })
    }
  }
}

export function closeSession(state: DurableObjectState, sessionId: string) {
  for (const socket of state.getWebSockets(sessionTag(sessionId))) socket.close(SESSION_ENDED, 'session ended')
}

/** Closes a user's sockets, except those of `keepSession` (a password change keeps its own). */
export function closeUser(state: DurableObjectState, userId: string, keepSession = '') {
  for (const socket of state.getWebSockets(userTag(userId))) {
    const tags = state.getTags(socket)
    if (!tags.includes(sessionTag(keepSession))) socket.close(SESSION_ENDED, 'session ended')
  }
}

/** Closes every socket: the workspace is being deleted. */
export function closeAll(state: DurableObjectState) {
  for (const socket of state.getWebSockets()) socket.close(SESSION_ENDED, 'workspace deleted')
}

/** Closes the sockets opened with an API token that was just revoked. */
export function closeToken(state: DurableObjectState, tokenId: string) {
  for (const socket of state.getWebSockets(tokenTag(tokenId))) socket.close(SESSION_ENDED, 'token revoked')
}

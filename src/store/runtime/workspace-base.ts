/**
 * The plumbing under the Workspace Durable Object's RPC surface (`workspace.ts`): start-up
 * (migrations under `blockConcurrencyWhile`, the first alarm), resolving the caller's session for
 * each call, pushing committed changes to live-update sockets, and the alarm that works off the
 * outboxes and runs the daily sweep. Nothing here hashes passwords or signs tokens.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../../config'
import { seesAllTickets } from '../../domain/ticket-access'
import { DEFAULT_WORKSPACE } from '../../domain/workspaces'
import { fail, ok, type Result } from '../../lib/result'
import type { Actor, Principal, StoreContext } from '../db/context'
import { migrate } from '../db/migrate'
import { nowIso } from '../db/sql'
import { findTicketRow, hydrateOne } from '../tickets/rows'
import { resolvePrincipal } from '../users/sessions'
import * as live from './live'
import * as outbox from './outbox'
import * as sweep from './sweep'

export type LiveTicketEvent = {
  parties: { reporterId: string; assigneeIds: readonly string[] }
  event: live.LiveEvent
}

export abstract class WorkspaceBase extends DurableObject<Bindings> {
  protected readonly store: StoreContext

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.store = { storage: ctx.storage, sql: ctx.storage.sql, emailEnabled: Boolean(env.EMAIL_QUEUE && env.EMAIL) }
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage)
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + sweep.SWEEP_INTERVAL_MS)
    })
  }

  /** Runs `operation` as the caller, if its session is live and its user active. */
  protected as<T>(actor: Actor, operation: (caller: Principal) => Result<T>): Result<T> {
    const caller = resolvePrincipal(this.store.sql, actor, nowIso())
    return caller ? operation(caller) : fail('E_AUTH_TOKEN_INVALID')
  }

  /** Workspace-wide reports are for managers and admins. */
  protected asManager<T>(actor: Actor, report: () => T) {
    return this.as(actor, (caller) => (seesAllTickets(caller) ? ok(report()) : fail('E_AUTH_INSUFFICIENT_PERMISSIONS')))
  }

  /**
   * Opens a live-updates WebSocket for a caller the Worker has authenticated (it forwards the token's
   * user and session in `X-Actor-User` / `X-Actor-Session`; this object is reachable only by it).
   */
  override async fetch(request: Request): Promise<Response> {
    const actor = {
      userId: request.headers.get('X-Actor-User') ?? '',
      sessionId: request.headers.get('X-Actor-Session') ?? '',
    }
    const caller = resolvePrincipal(this.store.sql, actor, nowIso())
    if (!caller) return Response.json({ ok: false, code: 'E_AUTH_TOKEN_INVALID' }, { status: 401 })
    return live.accept(this.ctx, caller)
  }

  override webSocketMessage(socket: WebSocket, message: string | ArrayBuffer) {
    if (message === 'ping') socket.send('pong')
  }

  override webSocketClose(socket: WebSocket, code: number, reason: string) {
    try {
      socket.close(code, reason)
    } catch {
      // already closed
    }
  }

  /** Runs a ticket mutation, then pushes what it committed to the sockets that may see it. */
  protected async publishing<T>(operation: () => Result<T>, event: (value: T) => LiveTicketEvent | null) {
    // With nobody listening (the common case) there is nothing to look up or send.
    const listening = this.ctx.getWebSockets().length > 0
    const since = listening ? live.lastNotificationSeq(this.store.sql) : 0
    const result = operation()
    if (result.ok && listening) {
      const published = event(result.value)
      if (published) live.publishTicketEvent(this.ctx, published.parties, published.event)
      live.publishNotifications(this.ctx, this.store.sql, since)
    }
    await this.wakeSoon()
    return result
  }

  /** An event about a ticket, addressed to its parties (read after the commit). */
  protected ticketEvent(ticketId: string, event: live.LiveEvent): LiveTicketEvent | null {
    const row = findTicketRow(this.store.sql, ticketId)
    return row ? { parties: hydrateOne(this.store.sql, row), event } : null
  }

  /**
   * After a commit that left outbox work (emails, R2 deletions): run the alarm shortly, unless it
   * already will. The short delay lets a burst of changes share one relay (one queue batch).
   */
  private async wakeSoon() {
    if (!outbox.outboxPending(this.store)) return
    const due = Date.now() + outbox.RELAY_DELAY_MS
    const scheduled = await this.ctx.storage.getAlarm()
    if (scheduled === null || scheduled > due) await this.ctx.storage.setAlarm(due)
  }

  /** Works off the outboxes, sweeps once a day, and sleeps until the next sweep. */
  override async alarm() {
    await outbox.relayEmails(this.store, this.env.EMAIL_QUEUE, this.ctx.id.name ?? DEFAULT_WORKSPACE)
    await outbox.deleteObjects(this.store, this.env.ATTACHMENTS)
    const now = Date.now()
    const nextSweep = sweep.sweepIfDue(this.store, now)
    if (nextSweep > now + sweep.SWEEP_INTERVAL_MS - 1000)
      await sweep.sweepOrphans(this.store, this.env.ATTACHMENTS, now)
    await this.ctx.storage.setAlarm(nextSweep)
  }
}

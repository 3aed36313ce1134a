/**
 * The plumbing under the Workspace Durable Object's RPC surface (`workspace.ts`): start-up
 * (migrations under `blockConcurrencyWhile`, the first alarm), the workspace's lifecycle (an object
 * is `absent` until its workspace is created, `active`, then `deleting` while the alarm erases it),
 * resolving the caller's session for each call, pushing committed changes to live-update sockets,
 * and the alarm that works off the outboxes and runs the daily sweep, or erases a deleted
 * workspace step by step. Nothing here hashes passwords or signs tokens.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../../config'
import { seesAllTickets } from '../../domain/ticket-access'
import { DEFAULT_WORKSPACE, DIRECTORY_NAME, filePrefix, type Jurisdiction } from '../../domain/workspaces'
import { bucketFor } from '../../lib/buckets'
import { errorCatalog } from '../../lib/error-catalog'
import { fail, ok, type Result } from '../../lib/result'
import type { Actor, Principal, StoreContext } from '../db/context'
import { readMeta } from '../db/meta'
import { migrate } from '../db/migrate'
import { eraseFiles, eraseRows } from '../tenancy/erase'
import { readRecord } from '../tenancy/record'
import { fireDueDeadlines, nextDeadline } from '../tickets/deadlines'
import { findTicketRow, hydrateOne } from '../tickets/rows'
import { authenticateToken } from '../users/api-tokens'
import { resolvePrincipal } from '../users/sessions'
import { nextDueAt } from '../webhooks/outbox'
import * as live from './live'
import * as outbox from './outbox'
import * as sweep from './sweep'

export type LiveTicketEvent = {
  parties: { reporterId: string; assigneeIds: readonly string[] }
  event: live.LiveEvent
}

export type Lifecycle = 'absent' | 'active' | 'deleting'

export abstract class WorkspaceBase extends DurableObject<Bindings> {
  protected readonly store: StoreContext
  /** The workspace's slug: the name the object was addressed by. */
  protected readonly slug: string
  protected lifecycle: Lifecycle = 'absent'
  protected jurisdiction: Jurisdiction | null = null
  /**
   * When the alarm is set for, as far as this instance has set or read it (null: none or not
   * known). Kept so a change that moves the earliest deadline re-arms the alarm in the same turn
   * as its commit, without reading the alarm first.
   */
  protected armedAt: number | null = null

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.slug = ctx.id.name ?? DEFAULT_WORKSPACE
    this.store = {
      storage: ctx.storage,
      sql: ctx.storage.sql,
      workspace: this.slug,
      emailEnabled: Boolean(env.EMAIL_QUEUE && env.EMAIL),
    }
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage)
      this.readLifecycle()
      if (this.lifecycle !== 'active') return
      // A deadline missed while the object was not running is due now: the alarm fires at once.
      const scheduled = await ctx.storage.getAlarm()
      const deadline = nextDeadline(this.store.sql)
      const wanted = Math.min(scheduled ?? Date.now() + sweep.SWEEP_INTERVAL_MS, deadline ?? Number.POSITIVE_INFINITY)
      if (wanted !== scheduled) await ctx.storage.setAlarm(wanted)
      this.armedAt = wanted
    })
  }

  protected get isDefault() {
    return this.slug === DEFAULT_WORKSPACE
  }

  /** `default` always exists; any other workspace from its creation until its deletion. */
  protected readLifecycle() {
    const record = readRecord(this.store.sql)
    this.jurisdiction = record?.jurisdiction ?? null
    if (readMeta(this.store.sql, 'deleting_since') !== null) this.lifecycle = 'deleting'
    else this.lifecycle = record || this.isDefault ? 'active' : 'absent'
  }

  /**
   * Runs `operation` as the caller, if the workspace exists and the caller checks out: a live
   * session of an active user, or a valid API token (of an active user) with the route's scope.
   */
  protected as<T>(actor: Actor, operation: (caller: Principal) => Result<T>): Result<T> {
    const caller = this.authenticate(actor)
    return caller.ok ? operation(caller.value) : caller
  }

  protected authenticate(actor: Actor): Result<Principal> {
    if (this.lifecycle !== 'active') return fail('E_AUTH_TOKEN_INVALID')
    if (actor.apiToken) return authenticateToken(this.store.sql, actor.apiToken)
    const caller = resolvePrincipal(this.store.sql, actor)
    return caller ? ok(caller) : fail('E_AUTH_TOKEN_INVALID')
  }

  /** Runs a call that needs no caller (login, register, signed URLs, email), if the workspace exists. */
  protected ifActive<T>(operation: () => Result<T>): Result<T> {
    return this.lifecycle === 'active' ? operation() : fail('E_WORKSPACE_NOT_FOUND')
  }

  protected get bucket() {
    return bucketFor(this.env, this.jurisdiction)
  }

  /** Workspace-wide reports are for managers and admins. */
  protected asManager<T>(actor: Actor, report: () => T) {
    return this.as(actor, (caller) => (seesAllTickets(caller) ? ok(report()) : fail('E_AUTH_INSUFFICIENT_PERMISSIONS')))
  }

  /**
   * Opens a live-updates WebSocket for a caller the Worker has authenticated (it forwards the actor,
   * as every RPC carries it, in `X-Actor`; this object is reachable only by the Worker).
   */
  override async fetch(request: Request): Promise<Response> {
    if (this.lifecycle !== 'active') return Response.json({ ok: false, code: 'E_AUTH_TOKEN_INVALID' }, { status: 401 })
    const actor = JSON.parse(request.headers.get('X-Actor') ?? '{}') as Partial<Actor>
    const caller = this.authenticate({ ...actor, userId: actor.userId ?? '', sessionId: actor.sessionId ?? '' })
    if (!caller.ok) return Response.json(caller, { status: errorCatalog[caller.code].status })
    return live.accept(this.ctx, caller.value)
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
    this.armForDeadlines()
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
   * After a change: if it moved the earliest deadline before the alarm, the alarm moves there. Called
   * in the same synchronous turn as the change's transaction, so the new alarm time is written in
   * the same atomic commit as the change (the storage coalesces a turn's writes).
   */
  protected armForDeadlines() {
    const next = nextDeadline(this.store.sql)
    if (next === null || (this.armedAt !== null && this.armedAt <= next)) return
    this.armedAt = next
    void this.ctx.storage.setAlarm(next)
  }

  /** Sets the alarm for `time` unless it is already set for that time or earlier. */
  protected async alarmNoLaterThan(time: number) {
    const scheduled = await this.ctx.storage.getAlarm()
    if (scheduled !== null && scheduled <= time) return
    await this.ctx.storage.setAlarm(time)
    this.armedAt = time
  }

  /**
   * After a commit that left outbox work (emails, R2 deletions): run the alarm shortly, unless it
   * already will. The short delay lets a burst of changes share one relay (one queue batch).
   */
  protected async wakeSoon() {
    if (!outbox.outboxPending(this.store)) return
    await this.alarmNoLaterThan(Date.now() + outbox.RELAY_DELAY_MS)
  }

  /**
   * Handles the deadlines that are due (SLA breaches, due dates), works off the outboxes, sweeps
   * once a day, and sleeps until the earliest of the next deadline, webhook retry and sweep; or
   * erases.
   */
  override async alarm() {
    this.armedAt = null // the alarm that fired is gone
    if (this.lifecycle === 'deleting') return void (await this.eraseStep())
    if (this.lifecycle === 'absent') return
    const moreDeadlines = fireDueDeadlines(this.store)
    const ref = { slug: this.slug, jurisdiction: this.jurisdiction }
    await outbox.relayEmails(this.store, this.env.EMAIL_QUEUE, ref)
    await outbox.relayWebhooks(this.store, this.env.WEBHOOK_QUEUE, ref)
    await outbox.deleteObjects(this.store, this.bucket)
    const now = Date.now()
    const nextSweep = sweep.sweepIfDue(this.store, now)
    if (nextSweep > now + sweep.SWEEP_INTERVAL_MS - 1000)
      await sweep.sweepOrphans(this.store, this.bucket, `${filePrefix(this.slug)}tickets/`, now)
    // The next deadline or webhook retry, if it comes before the next sweep; at once while a burst
    // of deadlines is still due.
    const next = Math.min(
      nextSweep,
      nextDueAt(this.store.sql) ?? Number.POSITIVE_INFINITY,
      nextDeadline(this.store.sql) ?? Number.POSITIVE_INFINITY,
      moreDeadlines ? now : Number.POSITIVE_INFINITY,
    )
    const at = Math.max(now, next)
    await this.ctx.storage.setAlarm(at)
    this.armedAt = at
  }

  /**
   * One bounded step of a deleted workspace's erasure: the directory's tombstone, rows, then its
   * files, then the whole storage. Each step starts from what is still stored, so a restart resumes where it stopped;
   * while work remains the next step is scheduled at once. Returns whether work remains.
   */
  async eraseStep(rowBatches?: number, filePages?: number): Promise<boolean> {
    if (this.lifecycle !== 'deleting') return false
    // The directory learns first (idempotent, so every step may repeat it): the slug stays taken.
    await this.env.DIRECTORY.getByName(DIRECTORY_NAME).tombstone(this.slug)
    const more =
      eraseRows(this.ctx.storage, rowBatches) || (await eraseFiles(this.bucket, filePrefix(this.slug), filePages))
    if (more) {
      await this.ctx.storage.setAlarm(Date.now())
      return true
    }
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
    this.armedAt = null
    this.lifecycle = 'absent'
    return false
  }
}

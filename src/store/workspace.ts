/**
 * The Workspace Durable Object: one per workspace, the single owner of its state and order. Its
 * public methods are its RPC surface; each authenticates the caller's session against storage,
 * then runs one operation (every mutation one `transactionSync`). Failures come back as data.
 * Nothing here hashes passwords or signs tokens: that CPU work stays in the stateless Worker.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../config'
import { seesAllTickets } from '../domain/ticket-access'
import type { TicketPatch } from '../domain/ticket-changes'
import { fail, ok, type Result } from '../lib/result'
import * as attachments from './attachments'
import * as auth from './auth-operations'
import { DEFAULT_WORKSPACE } from './client'
import type { Actor, Position, Principal, StoreContext } from './context'
import * as housekeeping from './housekeeping'
import * as live from './live'
import { migrate } from './migrate'
import * as notifications from './notifications'
import * as projects from './projects'
import * as reports from './reports'
import { resolvePrincipal } from './sessions'
import { first, nowIso } from './sql'
import type { TicketFilter, TicketSort } from './ticket-list'
import * as tickets from './ticket-operations'
import { findTicketRow, hydrateOne } from './tickets'
import * as users from './user-operations'
import type { NewUser, UserFilter } from './users'
import * as rules from './workflow-rules'

type LiveTicketEvent = { parties: { reporterId: string; assigneeIds: readonly string[] }; event: live.LiveEvent }

export class Workspace extends DurableObject<Bindings> {
  private readonly store: StoreContext

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.store = { storage: ctx.storage, sql: ctx.storage.sql, emailEnabled: Boolean(env.EMAIL_QUEUE && env.EMAIL) }
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage)
      if ((await ctx.storage.getAlarm()) === null)
        await ctx.storage.setAlarm(Date.now() + housekeeping.SWEEP_INTERVAL_MS)
    })
  }

  /** Runs `operation` as the caller, if its session is live and its user active. */
  private as<T>(actor: Actor, operation: (caller: Principal) => Result<T>): Result<T> {
    const caller = resolvePrincipal(this.store.sql, actor, nowIso())
    return caller ? operation(caller) : fail('E_AUTH_TOKEN_INVALID')
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
  private async publishing<T>(operation: () => Result<T>, event: (value: T) => LiveTicketEvent | null) {
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

  /** A round trip that touches nothing: the store's ceiling in benchmarks. */
  ping(): Result<null> {
    return ok(null)
  }

  // Credentials and sessions

  credentialsFor(email: string) {
    return auth.credentialsFor(this.store, email)
  }

  bootstrapAdmin(admin: { email: string; name: string; passwordHash: string }) {
    return auth.bootstrapAdmin(this.store, admin)
  }

  openSession(input: auth.LoginInput) {
    return auth.openSession(this.store, input)
  }

  rotateSession(input: auth.RefreshInput) {
    const result = auth.rotateSession(this.store, input)
    if (!result.ok && result.details?.reason === 'refresh_token_reused') live.closeSession(this.ctx, input.sessionId)
    return result
  }

  closeSession(actor: Actor, refreshSessionId: string | null) {
    const result = this.as(actor, (caller) => auth.closeSession(this.store, caller, refreshSessionId))
    if (result.ok) {
      live.closeSession(this.ctx, actor.sessionId)
      if (refreshSessionId) live.closeSession(this.ctx, refreshSessionId)
    }
    return result
  }

  me(actor: Actor) {
    return this.as(actor, (caller) => users.getUserFor(this.store, caller, caller.id))
  }

  // Users

  registerUser(user: Omit<NewUser, 'role'>) {
    return users.registerUser(this.store, user)
  }

  createUser(actor: Actor, user: NewUser) {
    return this.as(actor, (caller) => users.createUserAsAdmin(this.store, caller, user))
  }

  listUsers(actor: Actor, filter: UserFilter, after: Position | null, limit: number) {
    return this.as(actor, (caller) => users.listUsersFor(this.store, caller, filter, after, limit))
  }

  getUser(actor: Actor, id: string) {
    return this.as(actor, (caller) => users.getUserFor(this.store, caller, id))
  }

  passwordHashFor(actor: Actor, id: string) {
    return this.as(actor, (caller) => users.passwordHashFor(this.store, caller, id))
  }

  updateUser(actor: Actor, id: string, patch: users.UserPatch) {
    const result = this.as(actor, (caller) => users.updateUserFor(this.store, caller, id, patch))
    if (result.ok) {
      // Sessions that ended close their sockets; a role change reopens them with the new scope.
      if (patch.active === false || patch.role !== undefined) live.closeUser(this.ctx, id)
      else if (patch.passwordHash !== undefined)
        live.closeUser(this.ctx, id, actor.userId === id ? actor.sessionId : '')
    }
    return result
  }

  deleteUser(actor: Actor, id: string) {
    const result = this.as(actor, (caller) => users.deleteUserFor(this.store, caller, id))
    if (result.ok) live.closeUser(this.ctx, id)
    return result
  }

  // Projects

  listProjects(actor: Actor, after: Position | null, limit: number) {
    return this.as(actor, () => ok(projects.listProjects(this.store.sql, after, limit)))
  }

  getProject(actor: Actor, id: string) {
    return this.as(actor, () => projects.getProject(this.store, id))
  }

  createProject(actor: Actor, input: { key: string; name: string; description: string }) {
    return this.as(actor, (caller) => projects.createProject(this.store, caller, input))
  }

  updateProject(actor: Actor, id: string, patch: { name?: string; description?: string }) {
    return this.as(actor, (caller) => projects.updateProject(this.store, caller, id, patch))
  }

  deleteProject(actor: Actor, id: string) {
    return this.as(actor, (caller) => projects.deleteProject(this.store, caller, id))
  }

  // Tickets

  createTicket(actor: Actor, input: tickets.NewTicket, idempotency?: tickets.IdempotencyKey) {
    return this.publishing(
      () => this.as(actor, (caller) => tickets.createTicket(this.store, caller, input, idempotency)),
      ({ ticket, replayed }) => (replayed ? null : { parties: ticket, event: { type: 'ticket.created', ticket } }),
    )
  }

  listTickets(actor: Actor, filter: TicketFilter, sort: TicketSort, after: Position | null, limit: number) {
    return this.as(actor, (caller) => tickets.listTicketsFor(this.store, caller, filter, sort, after, limit))
  }

  listMyTickets(actor: Actor, filter: TicketFilter, sort: TicketSort, after: Position | null, limit: number) {
    return this.as(actor, (caller) => tickets.listMyTickets(this.store, caller, filter, sort, after, limit))
  }

  getTicket(actor: Actor, id: string) {
    return this.as(actor, (caller) => tickets.getTicket(this.store, caller, id))
  }

  getTicketByKey(actor: Actor, key: string) {
    return this.as(actor, (caller) => tickets.getTicketByKey(this.store, caller, key))
  }

  updateTicket(actor: Actor, id: string, patch: TicketPatch, expectedVersion?: number) {
    let before = 0
    return this.publishing(
      () =>
        this.as(actor, (caller) => {
          before = this.versionOf(id) ?? 0
          return tickets.updateTicket(this.store, caller, id, patch, expectedVersion)
        }),
      (ticket) => (ticket.version === before ? null : { parties: ticket, event: { type: 'ticket.updated', ticket } }),
    )
  }

  private versionOf(id: string) {
    return first<{ version: number }>(this.store.sql, 'SELECT version FROM tickets WHERE id = ?', id)?.version
  }

  deleteTicket(actor: Actor, id: string) {
    return this.publishing(
      () => this.as(actor, (caller) => tickets.deleteTicket(this.store, caller, id)),
      (ticket) => ({ parties: ticket, event: { type: 'ticket.deleted', ticketId: ticket.id, key: ticket.key } }),
    )
  }

  ticketHistory(actor: Actor, id: string, after: Position | null, limit: number) {
    return this.as(actor, (caller) => tickets.ticketHistory(this.store, caller, id, after, limit))
  }

  ticketComments(actor: Actor, id: string, after: Position | null, limit: number) {
    return this.as(actor, (caller) => tickets.ticketComments(this.store, caller, id, after, limit))
  }

  ticketComment(actor: Actor, ticketId: string, id: string) {
    return this.as(actor, (caller) => tickets.ticketComment(this.store, caller, ticketId, id))
  }

  addComment(actor: Actor, ticketId: string, body: string) {
    return this.publishing(
      () => this.as(actor, (caller) => tickets.addComment(this.store, caller, ticketId, body)),
      (comment) => this.ticketEvent(ticketId, { type: 'comment.created', ticketId, commentId: comment.id }),
    )
  }

  /** An event about a ticket, addressed to its parties (read after the commit). */
  private ticketEvent(ticketId: string, event: live.LiveEvent): LiveTicketEvent | null {
    const row = findTicketRow(this.store.sql, ticketId)
    return row ? { parties: hydrateOne(this.store.sql, row), event } : null
  }

  // Attachments (bytes never come here: only records, claims and visibility checks)

  canAttach(actor: Actor, ticketId: string) {
    return this.as(actor, (caller) => attachments.canAttach(this.store, caller, ticketId))
  }

  claimUpload(fileKey: string) {
    return ok(attachments.claimUpload(this.store, fileKey))
  }

  createAttachment(actor: Actor, input: attachments.NewAttachment) {
    return this.publishing(
      () => this.as(actor, (caller) => attachments.createAttachment(this.store, caller, input)),
      (attachment) =>
        this.ticketEvent(attachment.ticketId, {
          type: 'attachment.created',
          ticketId: attachment.ticketId,
          attachmentId: attachment.id,
        }),
    )
  }

  getAttachment(actor: Actor, id: string) {
    return this.as(actor, (caller) => attachments.getAttachment(this.store, caller, id))
  }

  listAttachments(actor: Actor, ticketId: string, after: Position | null, limit: number) {
    return this.as(actor, (caller) => attachments.listAttachments(this.store, caller, ticketId, after, limit))
  }

  deleteAttachment(actor: Actor, id: string) {
    let ticketId = ''
    return this.publishing(
      () =>
        this.as(actor, (caller) => {
          const found = attachments.getAttachment(this.store, caller, id)
          if (found.ok) ticketId = found.value.ticketId
          return attachments.deleteAttachment(this.store, caller, id)
        }),
      () => this.ticketEvent(ticketId, { type: 'attachment.deleted', ticketId, attachmentId: id }),
    )
  }

  // Reports

  dashboard(actor: Actor) {
    return this.as(actor, (caller) => ok(reports.dashboard(this.store, caller)))
  }

  /** Workspace-wide reports are for managers and admins. */
  private asManager<T>(actor: Actor, report: () => T) {
    return this.as(actor, (caller) => (seesAllTickets(caller) ? ok(report()) : fail('E_AUTH_INSUFFICIENT_PERMISSIONS')))
  }

  ticketsByStatus(actor: Actor) {
    return this.asManager(actor, () => reports.ticketsByStatus(this.store))
  }

  ticketsByPriority(actor: Actor) {
    return this.asManager(actor, () => reports.ticketsByPriority(this.store))
  }

  ticketsByDepartment(actor: Actor) {
    return this.asManager(actor, () => reports.ticketsByDepartment(this.store))
  }

  userActivity(actor: Actor, days: number) {
    return this.asManager(actor, () => reports.userActivity(this.store, days))
  }

  // Workflow rules

  listRules(actor: Actor, after: Position | null, limit: number) {
    return this.as(actor, (caller) => rules.listRules(this.store, caller, after, limit))
  }

  getRule(actor: Actor, id: string) {
    return this.as(actor, (caller) => rules.getRule(this.store, caller, id))
  }

  createRule(actor: Actor, input: rules.RuleInput) {
    return this.as(actor, (caller) => rules.createRule(this.store, caller, input))
  }

  updateRule(actor: Actor, id: string, input: rules.RuleInput) {
    return this.as(actor, (caller) => rules.updateRule(this.store, caller, id, input))
  }

  deleteRule(actor: Actor, id: string) {
    return this.as(actor, (caller) => rules.deleteRule(this.store, caller, id))
  }

  // Notifications

  listNotifications(actor: Actor, unreadOnly: boolean, after: Position | null, limit: number) {
    return this.as(actor, (caller) =>
      ok(notifications.listNotifications(this.store.sql, caller.id, unreadOnly, after, limit)),
    )
  }

  markNotificationRead(actor: Actor, id: string) {
    return this.as(actor, (caller) => {
      const notification = notifications.markRead(this.store.sql, caller.id, id, nowIso())
      return notification ? ok(notification) : fail('E_NOTIFICATION_NOT_FOUND')
    })
  }

  /**
   * For the email consumer, one call per queue batch: what to send for each notification, or null
   * where there is nothing to send (already sent, failed for good, recipient gone).
   */
  emailsFor(notificationIds: string[]) {
    return ok(notificationIds.map((id) => notifications.emailFor(this.store.sql, id)))
  }

  /** Records the outcome of each send of a batch, in one transaction. */
  recordEmailAttempts(outcomes: { id: string; outcome: notifications.EmailOutcome }[]) {
    const now = nowIso()
    this.ctx.storage.transactionSync(() => {
      for (const { id, outcome } of outcomes) notifications.recordEmailAttempt(this.store.sql, id, outcome, now)
    })
    return ok(null)
  }

  /**
   * After a commit that left outbox work (emails, R2 deletions): run the alarm shortly, unless it
   * already will. The short delay lets a burst of changes share one relay (one queue batch).
   */
  private async wakeSoon() {
    if (!housekeeping.outboxPending(this.store)) return
    const due = Date.now() + housekeeping.RELAY_DELAY_MS
    const scheduled = await this.ctx.storage.getAlarm()
    if (scheduled === null || scheduled > due) await this.ctx.storage.setAlarm(due)
  }

  /** Works off the outboxes, sweeps once a day, and sleeps until the next sweep. */
  override async alarm() {
    await housekeeping.relayEmails(this.store, this.env.EMAIL_QUEUE, this.ctx.id.name ?? DEFAULT_WORKSPACE)
    await housekeeping.deleteObjects(this.store, this.env.ATTACHMENTS)
    const now = Date.now()
    const nextSweep = housekeeping.sweepIfDue(this.store, now)
    if (nextSweep > now + housekeeping.SWEEP_INTERVAL_MS - 1000)
      await housekeeping.sweepOrphans(this.store, this.env.ATTACHMENTS, now)
    await this.ctx.storage.setAlarm(nextSweep)
  }
}

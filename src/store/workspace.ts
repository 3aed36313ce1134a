/**
 * The Workspace Durable Object: one per workspace, the single owner of its state and order. Its
 * public methods are its RPC surface; each authenticates the caller's session against storage,
 * then runs one operation (every mutation one `transactionSync`). Failures come back as data.
 * Nothing here hashes passwords or signs tokens: that CPU work stays in the stateless Worker.
 * Start-up, sessions, live-update publishing and the alarm live in `workspace-base.ts`.
 */
import type { SlaPolicies } from '../domain/sla'
import type { TicketPatch } from '../domain/ticket-changes'
import type { TicketSort } from '../domain/ticket-sort'
import type { PageArgs } from '../lib/pagination'
import { fail, ok, type Result } from '../lib/result'
import * as attachments from './attachments'
import type { Actor } from './db/context'
import { migrate } from './db/migrate'
import { nowIso, transact } from './db/sql'
import * as labels from './labels'
import * as notifications from './notifications'
import * as projects from './projects'
import * as reports from './reports'
import * as live from './runtime/live'
import { SWEEP_INTERVAL_MS } from './runtime/sweep'
import { WorkspaceBase } from './runtime/workspace-base'
import * as tenancy from './tenancy/operations'
import { createTicket, type NewTicket } from './tickets/create'
import type { IdempotencyKey } from './tickets/idempotency'
import type { TicketFilter } from './tickets/list'
import * as tickets from './tickets/operations'
import * as sla from './tickets/sla'
import { getTicket, getTicketByKey } from './tickets/visibility'
import * as watchers from './tickets/watchers'
import * as tokens from './users/api-tokens'
import * as auth from './users/credentials'
import * as users from './users/operations'
import type { NewUser, UserFilter } from './users/rows'
import * as hooks from './webhooks/endpoints'
import * as deliveries from './webhooks/outbox'
import { actorOf, emitEvent } from './webhooks/outbox'
import * as rules from './workflow-rules'

export class Workspace extends WorkspaceBase {
  /** A round trip that touches nothing: the store's ceiling in benchmarks. */
  ping(): Result<null> {
    return ok(null)
  }

  // Credentials and sessions

  credentialsFor(email: string) {
    if (this.lifecycle !== 'active') return { credentials: null, bootstrapPending: false }
    return auth.credentialsFor(this.store, email)
  }

  /** The Worker asks for it in `default` only; a created workspace has recorded its admin as done. */
  bootstrapAdmin(admin: { email: string; name: string; passwordHash: string }) {
    if (this.lifecycle === 'deleting') return fail('E_WORKSPACE_NOT_FOUND')
    return auth.bootstrapAdmin(this.store, admin)
  }

  openSession(input: auth.LoginInput) {
    if (this.lifecycle !== 'active') return fail('E_AUTH_INVALID_CREDENTIALS')
    return auth.openSession(this.store, input)
  }

  rotateSession(input: auth.RefreshInput) {
    if (this.lifecycle !== 'active') return fail('E_AUTH_TOKEN_INVALID')
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

  // API tokens

  createApiToken(actor: Actor, input: tokens.NewApiToken) {
    return this.as(actor, (caller) => tokens.createToken(this.store, caller, input))
  }

  listApiTokens(actor: Actor, owners: tokens.TokenOwners | null, page: PageArgs) {
    return this.as(actor, (caller) => tokens.listTokens(this.store, caller, owners, page.after, page.limit))
  }

  revokeApiToken(actor: Actor, id: string) {
    const result = this.as(actor, (caller) => tokens.revokeToken(this.store, caller, id))
    if (result.ok) live.closeToken(this.ctx, id)
    return result
  }

  me(actor: Actor) {
    return this.as(actor, (caller) => users.getUserFor(this.store, caller, caller.id))
  }

  // Users

  registerUser(user: Omit<NewUser, 'role'>) {
    return this.ifActive(() => users.registerUser(this.store, user))
  }

  createUser(actor: Actor, user: NewUser) {
    return this.as(actor, (caller) => users.createUserAsAdmin(this.store, caller, user))
  }

  listUsers(actor: Actor, filter: UserFilter, page: PageArgs) {
    return this.as(actor, (caller) => users.listUsersFor(this.store, caller, filter, page.after, page.limit))
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

  listProjects(actor: Actor, page: PageArgs) {
    return this.as(actor, () => ok(projects.listProjects(this.store.sql, page.after, page.limit)))
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

  createTicket(actor: Actor, input: NewTicket, idempotency?: IdempotencyKey) {
    return this.publishing(
      () => this.as(actor, (caller) => createTicket(this.store, caller, input, idempotency)),
      ({ ticket, replayed }) => (replayed ? null : { parties: ticket, event: { type: 'ticket.created', ticket } }),
    )
  }

  listTickets(actor: Actor, filter: TicketFilter, sort: TicketSort, page: PageArgs) {
    return this.as(actor, (caller) => tickets.listTicketsFor(this.store, caller, filter, sort, page.after, page.limit))
  }

  listMyTickets(actor: Actor, filter: TicketFilter, sort: TicketSort, page: PageArgs) {
    return this.as(actor, (caller) => tickets.listMyTickets(this.store, caller, filter, sort, page.after, page.limit))
  }

  getTicket(actor: Actor, id: string) {
    return this.as(actor, (caller) => getTicket(this.store, caller, id))
  }

  getTicketByKey(actor: Actor, key: string) {
    return this.as(actor, (caller) => getTicketByKey(this.store, caller, key))
  }

  async updateTicket(actor: Actor, id: string, patch: TicketPatch, expectedVersion?: number) {
    const result = await this.publishing(
      () => this.as(actor, (caller) => tickets.updateTicket(this.store, caller, id, patch, expectedVersion)),
      ({ ticket, changed }) => (changed ? { parties: ticket, event: { type: 'ticket.updated', ticket } } : null),
    )
    return result.ok ? ok(result.value.ticket) : result
  }

  deleteTicket(actor: Actor, id: string) {
    return this.publishing(
      () => this.as(actor, (caller) => tickets.deleteTicket(this.store, caller, id)),
      (ticket) => ({ parties: ticket, event: { type: 'ticket.deleted', ticketId: ticket.id, key: ticket.key } }),
    )
  }

  ticketHistory(actor: Actor, id: string, page: PageArgs) {
    return this.as(actor, (caller) => tickets.ticketHistory(this.store, caller, id, page.after, page.limit))
  }

  ticketComments(actor: Actor, id: string, page: PageArgs) {
    return this.as(actor, (caller) => tickets.ticketComments(this.store, caller, id, page.after, page.limit))
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

  // Labels

  listLabels(actor: Actor, page: PageArgs) {
    return this.as(actor, () => ok(labels.listLabels(this.store.sql, page.after, page.limit)))
  }

  getLabel(actor: Actor, id: string) {
    return this.as(actor, () => labels.getLabel(this.store, id))
  }

  createLabel(actor: Actor, input: labels.LabelInput) {
    return this.as(actor, (caller) => labels.createLabel(this.store, caller, input))
  }

  updateLabel(actor: Actor, id: string, patch: Partial<labels.LabelInput>) {
    return this.as(actor, (caller) => labels.updateLabel(this.store, caller, id, patch))
  }

  deleteLabel(actor: Actor, id: string) {
    return this.as(actor, (caller) => labels.deleteLabel(this.store, caller, id))
  }

  // Watchers

  listWatchers(actor: Actor, ticketId: string, page: PageArgs) {
    return this.as(actor, (caller) => watchers.listWatchers(this.store, caller, ticketId, page.after, page.limit))
  }

  /** `userId` null: the caller itself. */
  setWatching(actor: Actor, ticketId: string, userId: string | null, watch: boolean) {
    return this.as(actor, (caller) => watchers.setWatching(this.store, caller, ticketId, userId ?? caller.id, watch))
  }

  // SLA policies

  slaPolicies(actor: Actor) {
    return this.as(actor, () => ok(sla.readPolicies(this.store.sql)))
  }

  setSlaPolicies(actor: Actor, policies: SlaPolicies) {
    return this.as(actor, (caller) => sla.replacePolicies(this.store, caller, policies))
  }

  // Attachments (bytes never come here: only records, claims and visibility checks)

  canAttach(actor: Actor, ticketId: string) {
    return this.as(actor, (caller) => attachments.canAttach(this.store, caller, ticketId))
  }

  isAttached(fileKey: string) {
    return this.ifActive(() => ok(attachments.isAttached(this.store, fileKey)))
  }

  claimUpload(fileKey: string) {
    return this.ifActive(() => ok(attachments.claimUpload(this.store, fileKey)))
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

  listAttachments(actor: Actor, ticketId: string, page: PageArgs) {
    return this.as(actor, (caller) => attachments.listAttachments(this.store, caller, ticketId, page.after, page.limit))
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

  slaReport(actor: Actor, days: number) {
    return this.asManager(actor, () => reports.slaCompliance(this.store, days))
  }

  // Workflow rules

  listRules(actor: Actor, page: PageArgs) {
    return this.as(actor, (caller) => rules.listRules(this.store, caller, page.after, page.limit))
  }

  getRule(actor: Actor, id: string) {
    return this.as(actor, (caller) => rules.getRule(this.store, caller, id))
  }

  createRule(actor: Actor, input: rules.RuleInput) {
    return this.as(actor, (caller) => rules.createRule(this.store, caller, input))
  }

  updateRule(actor: Actor, id: string, input: rules.RulePatch) {
    return this.as(actor, (caller) => rules.updateRule(this.store, caller, id, input))
  }

  deleteRule(actor: Actor, id: string) {
    return this.as(actor, (caller) => rules.deleteRule(this.store, caller, id))
  }

  // Notifications

  listNotifications(actor: Actor, unreadOnly: boolean, page: PageArgs) {
    return this.as(actor, (caller) =>
      ok(notifications.listNotifications(this.store.sql, caller.id, unreadOnly, page.after, page.limit)),
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
    return this.ifActive(() => ok(notificationIds.map((id) => notifications.emailFor(this.store.sql, id))))
  }

  /** Records the outcome of each send of a batch, in one transaction. */
  recordEmailAttempts(outcomes: { id: string; outcome: notifications.EmailOutcome }[]) {
    return this.ifActive(() => {
      const now = nowIso()
      this.ctx.storage.transactionSync(() => {
        for (const { id, outcome } of outcomes) notifications.recordEmailAttempt(this.store.sql, id, outcome, now)
      })
      return ok(null)
    })
  }

  // Webhooks

  createWebhook(actor: Actor, input: hooks.WebhookInput, secret: string) {
    return this.as(actor, (caller) => hooks.createWebhook(this.store, caller, input, secret))
  }

  listWebhooks(actor: Actor, page: PageArgs) {
    return this.as(actor, (caller) => hooks.listWebhooks(this.store, caller, page.after, page.limit))
  }

  getWebhook(actor: Actor, id: string) {
    return this.as(actor, (caller) => hooks.getWebhook(this.store, caller, id))
  }

  updateWebhook(actor: Actor, id: string, patch: hooks.WebhookPatch) {
    return this.as(actor, (caller) => hooks.updateWebhook(this.store, caller, id, patch))
  }

  deleteWebhook(actor: Actor, id: string) {
    return this.as(actor, (caller) => hooks.deleteWebhook(this.store, caller, id))
  }

  rotateWebhookSecret(actor: Actor, id: string, secret: string) {
    return this.as(actor, (caller) => hooks.rotateSecret(this.store, caller, id, secret))
  }

  /** A `ping` event for one endpoint, sent now. */
  async pingWebhook(actor: Actor, id: string) {
    const result = this.as(actor, (caller) =>
      transact(this.ctx.storage, () => {
        const found = hooks.getWebhook(this.store, caller, id)
        if (!found.ok) return found
        if (!found.value.active) return fail('E_WEBHOOK_INACTIVE')
        emitEvent(this.store, 'ping', () => ({ actor: actorOf(this.store.sql, caller.id), rule: null }), null, id)
        return ok(null)
      }),
    )
    await this.wakeSoon()
    return result
  }

  listWebhookDeliveries(actor: Actor, id: string, page: PageArgs) {
    return this.as(actor, (caller) => deliveries.listDeliveries(this.store, caller, id, page.after, page.limit))
  }

  async redeliverWebhook(actor: Actor, id: string, deliveryId: string) {
    const result = this.as(actor, (caller) => deliveries.redeliver(this.store, caller, id, deliveryId))
    await this.wakeSoon()
    return result
  }

  /** For the webhook consumer: what to send for a delivery, or null when there is nothing to send. */
  webhookDelivery(id: string) {
    return this.ifActive(() => ok(deliveries.deliveryToSend(this.store.sql, id)))
  }

  /** Records one delivery attempt and, when it failed, wakes the alarm for the next. */
  async recordWebhookAttempt(id: string, outcome: deliveries.AttemptOutcome) {
    if (this.lifecycle !== 'active') return fail('E_WORKSPACE_NOT_FOUND')
    const next = this.ctx.storage.transactionSync(() => deliveries.recordAttempt(this.store, id, outcome))
    if (next !== null) await this.alarmNoLaterThan(next)
    return ok(null)
  }

  // The workspace itself

  /** The creation's last step in this object: record, first admin and first session, at once. */
  async initializeWorkspace(input: tenancy.WorkspaceInit) {
    if (this.isDefault || this.lifecycle === 'deleting') return fail('E_WORKSPACE_EXISTS')
    migrate(this.ctx.storage) // a no-op, unless an earlier erasure removed the schema
    const result = tenancy.initializeWorkspace(this.store, this.slug, input)
    if (result.ok) {
      this.readLifecycle()
      live.closeAll(this.ctx) // an abandoned attempt's sockets, if any
      await this.alarmNoLaterThan(Date.now() + SWEEP_INTERVAL_MS)
    }
    return result
  }

  /**
   * Discards what an abandoned creation (`reservation`, never confirmed by the directory) left in
   * this object, when a new attempt placed the workspace elsewhere.
   */
  async discardCreation(reservation: number) {
    if (this.isDefault || this.lifecycle !== 'active' || !tenancy.createdBy(this.store, reservation)) return ok(false)
    live.closeAll(this.ctx)
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
    this.armedAt = null
    this.lifecycle = 'absent'
    return ok(true)
  }

  workspace(actor: Actor) {
    return this.as(actor, () => ok(tenancy.describeWorkspace(this.store, this.slug)))
  }

  renameWorkspace(actor: Actor, name: string) {
    return this.as(actor, (caller) => tenancy.renameFor(this.store, caller, this.slug, name))
  }

  /** Every session ends and every call is refused from here on; the alarm erases the rest. */
  async deleteWorkspace(actor: Actor) {
    const result = this.as(actor, (caller) => tenancy.beginDeletion(this.store, caller, this.isDefault))
    if (result.ok) {
      this.lifecycle = 'deleting'
      live.closeAll(this.ctx)
      await this.ctx.storage.setAlarm(Date.now())
      this.armedAt = Date.now()
    }
    return result
  }
}

/**
 * Runs workflow rules inside the transaction of the change that triggered them. Matching is the
 * pure `evaluate`; applying is here, one small function per action: each effect is a real change
 * (committed like a person's, recorded as `workflow_<action>` with the rule id). A round's changes
 * trigger the next round, at most MAX_RULE_ROUNDS deep, so no set of rules can loop forever.
 */
import type { Ticket } from '../../domain/ticket'
import { diffTicket, stateOf, type TicketState } from '../../domain/ticket-changes'
import { canTransition, isStatus } from '../../domain/ticket-lifecycle'
import { type Action, evaluate, MAX_RULE_ROUNDS, type Trigger } from '../../domain/workflow'
import type { StoreContext } from '../db/context'
import { first } from '../db/sql'
import { notify } from '../notifications'
import { activeRules } from '../workflow-rules'
import { insertComment } from './comments'
import { type ChangeAuthor, commitChanges } from './commit'
import { appendHistory, type HistoryValue } from './history'
import { findTicketRow, hydrateOne, type TicketRow } from './rows'
import { notifyWatchers } from './watchers'

type RuleAuthor = ChangeAuthor & { ruleId: string }

/** The ticket as it is now, with its row (rules see each other's effects). */
const load = (ctx: StoreContext, id: string) => {
  const row = findTicketRow(ctx.sql, id)
  return row ? { row, ticket: hydrateOne(ctx.sql, row) } : null
}

interface Target {
  row: TicketRow
  ticket: Ticket
  by: RuleAuthor
  now: string
}

/** A history entry for what a rule did that is not a field change (a comment, a skip, a notice). */
const record = (
  ctx: StoreContext,
  { ticket, by, now }: Target,
  action: string,
  oldValue: HistoryValue,
  newValue: HistoryValue,
) =>
  appendHistory(ctx.sql, { ticketId: ticket.id, userId: by.userId, ruleId: by.ruleId, action, oldValue, newValue }, now)

function assignUser(ctx: StoreContext, target: Target, userId: string) {
  const { row, ticket, by, now } = target
  if (ticket.assigneeIds.includes(userId)) return
  if (!first(ctx.sql, 'SELECT id FROM users WHERE id = ? AND active = 1', userId)) {
    record(ctx, target, 'workflow_assign_user_skipped', null, { userId, reason: 'user missing or inactive' })
    return
  }
  const change = { field: 'assigneeIds' as const, from: ticket.assigneeIds, to: [...ticket.assigneeIds, userId] }
  commitChanges(ctx, row, [change], by, () => 'workflow_assign_user', now)
}

function changeStatus(ctx: StoreContext, target: Target, status: string) {
  const { row, ticket, by, now } = target
  if (!isStatus(status) || status === ticket.status) return
  // A rule never forces a transition the lifecycle forbids: it is skipped, and the skip recorded.
  if (!canTransition(ticket.status, status)) {
    record(ctx, target, 'workflow_change_status_skipped', ticket.status, status)
    return
  }
  commitChanges(
    ctx,
    row,
    [{ field: 'status', from: ticket.status, to: status }],
    by,
    () => 'workflow_change_status',
    now,
  )
}

function addComment(ctx: StoreContext, target: Target, text: string) {
  const { row, by, now } = target
  insertComment(ctx.sql, { ticketId: row.id, authorId: null, ruleId: by.ruleId, body: text }, now)
  record(ctx, target, 'workflow_add_comment', null, text)
  const message = `${row.key} (${row.title}): new comment by a rule`
  notifyWatchers(ctx, row, { kind: 'watching', message, ruleId: by.ruleId }, [by.userId], now)
}

function sendNotification(ctx: StoreContext, target: Target, to: string, message: string) {
  const { ticket, by, now } = target
  const userIds = to === 'reporter' ? [ticket.reporterId] : to === 'assignees' ? ticket.assigneeIds : [to]
  const recipients = notify(
    ctx.sql,
    { userIds, ticketId: ticket.id, ruleId: by.ruleId, kind: 'rule', message },
    ctx.emailEnabled,
    now,
  )
  record(ctx, target, 'workflow_send_notification', null, { to, message, recipients })
}

function apply(ctx: StoreContext, ticketId: string, action: Action, by: RuleAuthor, now: string) {
  const current = load(ctx, ticketId)
  if (!current) return
  const target = { ...current, by, now }
  switch (action.name) {
    case 'assign_user':
      return assignUser(ctx, target, action.userId)
    case 'change_status':
      return changeStatus(ctx, target, action.status)
    case 'add_comment':
      return addComment(ctx, target, action.text)
    case 'send_notification':
      return sendNotification(ctx, target, action.to, action.message)
  }
}

export interface TriggeringEvent {
  triggers: readonly Trigger[]
  before: TicketState | null
}

/**
 * Runs the rules an event triggers on `ticketId`. Returns the ticket as the rules left it when any
 * rule fired (its row, comments, history or notifications may have changed), or null when none did.
 */
export function runWorkflows(
  ctx: StoreContext,
  ticketId: string,
  event: TriggeringEvent,
  by: ChangeAuthor,
  now: string,
  round = 1,
): Ticket | null {
  const rules = activeRules(ctx.sql, event.triggers)
  if (rules.length === 0) return null
  const start = load(ctx, ticketId)
  if (!start) return null
  const startState = stateOf(start.ticket)
  const fired = evaluate({ triggers: event.triggers, before: event.before, after: startState }, rules)
  if (fired.length === 0) return null
  if (round > MAX_RULE_ROUNDS) {
    appendHistory(
      ctx.sql,
      {
        ticketId,
        userId: by.userId,
        action: 'workflow_depth_limit_reached',
        oldValue: null,
        newValue: { rounds: MAX_RULE_ROUNDS, rules: fired.map((rule) => rule.id) },
      },
      now,
    )
    return start.ticket
  }
  for (const rule of fired) {
    for (const action of rule.actions) apply(ctx, ticketId, action, { userId: by.userId, ruleId: rule.id }, now)
  }
  const end = load(ctx, ticketId)
  if (!end) return start.ticket
  const changes = diffTicket(startState, stateOf(end.ticket))
  if (changes.length === 0) return end.ticket
  const triggers: Trigger[] = ['ticket_updated']
  if (changes.some((change) => change.field === 'status')) triggers.push('status_changed')
  return runWorkflows(ctx, ticketId, { triggers, before: startState }, by, now, round + 1) ?? end.ticket
}

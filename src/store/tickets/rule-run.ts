/**
 * Runs workflow rules inside the transaction of the change that triggered them. Matching is the
 * pure `evaluate`; applying is here: each effect is a real change (committed like a person's,
 * recorded as `workflow_<action>` with the rule id). A round's changes trigger the next round, at
 * most MAX_RULE_ROUNDS deep, so no set of rules can loop forever.
 */
import { diffTicket, stateOf, type TicketState } from '../../domain/ticket-changes'
import { canTransition, isStatus } from '../../domain/ticket-lifecycle'
import { type Action, evaluate, MAX_RULE_ROUNDS, type Trigger } from '../../domain/workflow'
import type { StoreContext } from '../db/context'
import { first } from '../db/sql'
import { notify } from '../notifications'
import { activeRules } from '../workflow-rules'
import { type ChangeAuthor, commitChanges } from './commit'
import { appendHistory, insertComment } from './history'
import { findTicketRow, hydrateOne } from './rows'

const load = (ctx: StoreContext, id: string) => {
  const row = findTicketRow(ctx.sql, id)
  return row ? { row, ticket: hydrateOne(ctx.sql, row) } : null
}

function apply(
  ctx: StoreContext,
  ticketId: string,
  action: Action,
  by: ChangeAuthor & { ruleId: string },
  now: string,
) {
  const current = load(ctx, ticketId)
  if (!current) return
  const { row, ticket } = current
  const record = (
    name: string,
    oldValue: string | null,
    newValue: Record<string, string | number | null> | string | null,
  ) => appendHistory(ctx.sql, { ticketId, userId: by.userId, ruleId: by.ruleId, action: name, oldValue, newValue }, now)

  switch (action.name) {
    case 'assign_user': {
      if (ticket.assigneeIds.includes(action.userId)) return
      const active = first(ctx.sql, 'SELECT id FROM users WHERE id = ? AND active = 1', action.userId)
      if (!active)
        return record('workflow_assign_user_skipped', null, {
          userId: action.userId,
          reason: 'user missing or inactive',
        })
      const to = [...ticket.assigneeIds, action.userId]
      return commitChanges(
        ctx,
        row,
        [{ field: 'assigneeIds', from: ticket.assigneeIds, to }],
        by,
        () => 'workflow_assign_user',
        now,
      )
    }
    case 'change_status': {
      const target = action.status
      if (!isStatus(target) || target === ticket.status) return
      // A rule never forces a transition the lifecycle forbids: it is skipped, and the skip recorded.
      if (!canTransition(ticket.status, target)) return record('workflow_change_status_skipped', ticket.status, target)
      return commitChanges(
        ctx,
        row,
        [{ field: 'status', from: ticket.status, to: target }],
        by,
        () => 'workflow_change_status',
        now,
      )
    }
    case 'add_comment': {
      insertComment(ctx.sql, { ticketId, authorId: null, ruleId: by.ruleId, body: action.text }, now)
      return record('workflow_add_comment', null, action.text)
    }
    case 'send_notification': {
      const userIds =
        action.to === 'reporter' ? [row.reporter_id] : action.to === 'assignees' ? ticket.assigneeIds : [action.to]
      const sent = notify(
        ctx.sql,
        { userIds, ticketId, ruleId: by.ruleId, kind: 'rule', message: action.message },
        ctx.emailEnabled,
        now,
      )
      return record('workflow_send_notification', null, { to: action.to, message: action.message, recipients: sent })
    }
  }
}

export interface TriggeringEvent {
  triggers: readonly Trigger[]
  before: TicketState | null
}

/**
 * Runs the rules an event triggers on `ticketId`; returns whether any rule fired (and so whether the
 * ticket, its comments, history or notifications may have changed).
 */
export function runWorkflows(
  ctx: StoreContext,
  ticketId: string,
  event: TriggeringEvent,
  by: ChangeAuthor,
  now: string,
  round = 1,
): boolean {
  const rules = activeRules(ctx.sql, event.triggers)
  if (rules.length === 0) return false
  const start = load(ctx, ticketId)
  if (!start) return false
  const startState = stateOf(start.ticket)
  const fired = evaluate({ triggers: event.triggers, before: event.before, after: startState }, rules)
  if (fired.length === 0) return false
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
    return true
  }
  for (const rule of fired) {
    for (const action of rule.actions) apply(ctx, ticketId, action, { userId: by.userId, ruleId: rule.id }, now)
  }
  const end = load(ctx, ticketId)
  if (!end) return true
  const changes = diffTicket(startState, stateOf(end.ticket))
  if (changes.length === 0) return true
  const triggers: Trigger[] = ['ticket_updated']
  if (changes.some((change) => change.field === 'status')) triggers.push('status_changed')
  runWorkflows(ctx, ticketId, { triggers, before: startState }, by, now, round + 1)
  return true
}

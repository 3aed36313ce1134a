/**
 * Workflow rules as data, and their evaluation as a pure function: given an event (its triggers,
 * the ticket before and after) and the rules, which actions to apply, in rule creation order and
 * then in the order each rule lists them. Applying them is the store's job.
 */
import type { TicketState } from './ticket-changes'

export const TRIGGERS = ['ticket_created', 'ticket_updated', 'status_changed', 'sla_breached'] as const
export type Trigger = (typeof TRIGGERS)[number]

export const CONDITION_FIELDS = ['priority', 'department', 'status', 'projectId', 'fromStatus', 'toStatus'] as const
export type ConditionField = (typeof CONDITION_FIELDS)[number]
/** Fields that only make sense for `status_changed`. */
export const TRANSITION_FIELDS: readonly ConditionField[] = ['fromStatus', 'toStatus']

/** How many rounds of rule effects one change may cause; a round's changes trigger the next. */
export const MAX_RULE_ROUNDS = 3

export type ConditionValue = string | null
export type Condition = ConditionValue | { in: ConditionValue[] } | { neq: ConditionValue } | { contains: string }
export type Conditions = Partial<Record<ConditionField, Condition>>

export type NotificationTarget = string // a user id, 'reporter' or 'assignees'
export type Action =
  | { name: 'assign_user'; userId: string }
  | { name: 'change_status'; status: string }
  | { name: 'add_comment'; text: string }
  | { name: 'send_notification'; to: NotificationTarget; message: string }

export interface Rule {
  id: string
  trigger: Trigger
  conditions: Conditions
  actions: Action[]
}

export interface WorkflowEvent {
  triggers: readonly Trigger[]
  before: TicketState | null
  after: TicketState
}

function fieldValue(field: ConditionField, event: WorkflowEvent): ConditionValue {
  switch (field) {
    case 'fromStatus':
      return event.before?.status ?? null
    case 'toStatus':
      return event.after.status
    default:
      return event.after[field]
  }
}

export function conditionHolds(condition: Condition, value: ConditionValue): boolean {
  if (condition === null || typeof condition === 'string') return value === condition
  if ('in' in condition) return condition.in.includes(value)
  if ('neq' in condition) return value !== condition.neq
  return typeof value === 'string' && value.toLowerCase().includes(condition.contains.toLowerCase())
}

export const ruleMatches = (rule: Rule, event: WorkflowEvent) =>
  event.triggers.includes(rule.trigger) &&
  Object.entries(rule.conditions).every(([field, condition]) =>
    conditionHolds(condition as Condition, fieldValue(field as ConditionField, event)),
  )

export interface RuleIssue {
  path: string[]
  message: string
}

/**
 * What the schema cannot see in a partial update: conditions on the status before and after a
 * change make sense only for a rule whose (stored) trigger is `status_changed`.
 */
export const ruleIssues = (rule: { trigger: Trigger; conditions: Conditions }): RuleIssue[] =>
  rule.trigger === 'status_changed'
    ? []
    : TRANSITION_FIELDS.filter((field) => rule.conditions[field] !== undefined).map((field) => ({
        path: ['conditions', field],
        message: `${field} needs the status_changed trigger`,
      }))

/** The rules that fire for `event`, in the order given (creation order), with their actions. */
export const evaluate = (event: WorkflowEvent, rules: readonly Rule[]) =>
  rules.filter((rule) => ruleMatches(rule, event))

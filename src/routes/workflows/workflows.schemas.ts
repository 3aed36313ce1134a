/**
 * Workflow rule schemas. Conditions map ticket fields to a value (equality) or an operator object
 * (`in`, `neq`, `contains`); actions are an object keyed by action name, applied in the order
 * written. Anything unknown or ill-typed is refused with 422 `E_WORKFLOW_INVALID_RULE`.
 */
import { z } from '@hono/zod-openapi'
import { PRIORITIES } from '../../domain/priorities'
import { STATUSES } from '../../domain/ticket-lifecycle'
import { type ConditionField, TRANSITION_FIELDS, TRIGGERS } from '../../domain/workflow'
import { StatusSchema } from '../tickets/tickets.schemas'

const Value = z.union([z.string().min(1).max(200), z.null()])

const Condition = z
  .union([
    Value,
    z.strictObject({ in: z.array(Value).min(1).max(50) }),
    z.strictObject({ neq: Value }),
    z.strictObject({ contains: z.string().min(1).max(200) }),
  ])
  .openapi('WorkflowCondition', {
    description: 'A value the field must equal, or `{"in": [...]}`, `{"neq": value}`, `{"contains": "text"}`',
  })

export const ConditionsSchema = z
  .strictObject({
    priority: Condition.optional(),
    department: Condition.optional(),
    status: Condition.optional(),
    projectId: Condition.optional(),
    fromStatus: Condition.optional().openapi({ description: '`status_changed` only: the status before' }),
    toStatus: Condition.optional().openapi({ description: '`status_changed` only: the status after' }),
  })
  .openapi('WorkflowConditions', { example: { priority: 'critical', department: { in: ['IT', 'Ops'] } } })

export const ActionsSchema = z
  .strictObject({
    assign_user: z.uuid().optional().openapi({ description: 'Adds this (existing) user to the assignees' }),
    change_status: StatusSchema.optional().openapi({
      description: 'Moves the ticket, if the lifecycle allows it; otherwise the action is skipped and recorded',
    }),
    add_comment: z.string().trim().min(1).max(10_000).optional().openapi({ description: 'A comment by the rule' }),
    send_notification: z
      .strictObject({
        to: z.union([z.literal('reporter'), z.literal('assignees'), z.uuid()]),
        message: z.string().trim().min(1).max(2000),
      })
      .optional()
      .openapi({ description: 'Notifies a user id, the reporter or the assignees' }),
  })
  .refine((actions) => Object.values(actions).some((value) => value !== undefined), {
    message: 'A rule needs at least one action',
  })
  .openapi('WorkflowActions', {
    description: 'Applied in the order written',
    example: { assign_user: '0b7e4f7c-3d42-4c4f-9a4e-2f1d6c7e8a90', add_comment: 'Escalated' },
  })

const allowedValues: Partial<Record<ConditionField, readonly string[]>> = {
  priority: PRIORITIES,
  status: STATUSES,
  fromStatus: STATUSES,
  toStatus: STATUSES,
}

const RuleFields = {
  name: z.string().trim().min(1).max(200).openapi({ example: 'Escalate critical IT tickets' }),
  description: z.string().max(2000).default(''),
  trigger: z.enum(TRIGGERS).openapi('WorkflowTrigger'),
  conditions: ConditionsSchema.default({}),
  actions: ActionsSchema,
  active: z.boolean().default(true).openapi({ description: 'Inactive rules never run' }),
}

/** Checks that need the whole rule: transition fields need `status_changed`; values must exist. */
function checkRule(rule: { trigger: string; conditions: Record<string, unknown> }, context: z.RefinementCtx) {
  for (const [field, condition] of Object.entries(rule.conditions)) {
    if (condition === undefined) continue
    const path = ['conditions', field]
    if (TRANSITION_FIELDS.includes(field as ConditionField) && rule.trigger !== 'status_changed') {
      context.addIssue({ code: 'custom', path, message: `${field} needs the status_changed trigger` })
    }
    if (typeof condition === 'object' && condition !== null && 'contains' in condition && field !== 'department') {
      context.addIssue({ code: 'custom', path, message: 'contains applies to department only' })
    }
    const allowed = allowedValues[field as ConditionField]
    const values =
      typeof condition === 'object' && condition !== null
        ? 'in' in condition
          ? (condition.in as unknown[])
          : 'neq' in condition
            ? [condition.neq]
            : []
        : [condition]
    for (const value of values) {
      if (allowed && value !== null && !allowed.includes(String(value))) {
        context.addIssue({ code: 'custom', path, message: `${String(value)} is not a valid ${field}` })
      }
      if (field === 'projectId' && value !== null && !z.uuid().safeParse(value).success) {
        context.addIssue({ code: 'custom', path, message: 'projectId must be a uuid' })
      }
    }
  }
}

export const CreateRuleSchema = z
  .strictObject(RuleFields)
  .superRefine(checkRule)
  .openapi('CreateWorkflowRule', {
    example: {
      name: 'Escalate critical IT tickets',
      trigger: 'ticket_created',
      conditions: { priority: 'critical', department: { in: ['IT', 'Ops'] } },
      actions: {
        assign_user: '0b7e4f7c-3d42-4c4f-9a4e-2f1d6c7e8a90',
        add_comment: 'Escalated',
        send_notification: { to: 'assignees', message: 'Critical ticket' },
      },
    },
  })

export const UpdateRuleSchema = CreateRuleSchema.openapi('UpdateWorkflowRule', {
  description: 'The whole rule, validated as on creation',
})

export const RuleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    trigger: z.enum(TRIGGERS),
    conditions: ConditionsSchema,
    actions: ActionsSchema,
    active: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('WorkflowRule')

export const RuleIdParamSchema = z.object({
  ruleId: z.uuid().openapi({ param: { name: 'ruleId', in: 'path' }, description: 'The rule’s id' }),
})

/**
 * Workflow rule schemas. Conditions map ticket fields to a value (equality) or an operator object
 * (`in`, `neq`, and for `department` also `contains`); each field takes only its own kind of value
 * (a priority, a status, a project id), and `fromStatus`/`toStatus` exist only for the
 * `status_changed` trigger, so the document says exactly which rules are valid. Actions are an
 * object keyed by action name, applied in the order written. Anything else is refused with 422
 * `E_WORKFLOW_INVALID_RULE`.
 */
import { z } from '@hono/zod-openapi'
import { TRIGGERS } from '../../domain/workflow'
import { text } from '../../lib/schemas'
import { PrioritySchema, StatusSchema } from '../tickets/tickets.schemas'

/** A value to compare with, `{"in": [...]}` or `{"neq": value}`. */
const comparing = <T extends z.ZodType>(value: T) =>
  z.union([value, z.strictObject({ in: z.array(value).min(1).max(50) }), z.strictObject({ neq: value })])

const DepartmentValue = z.string().min(1).max(200).nullable()

const ticketConditions = {
  priority: comparing(PrioritySchema).optional(),
  department: z
    .union([comparing(DepartmentValue), z.strictObject({ contains: z.string().min(1).max(200) })])
    .optional()
    .openapi({ description: 'A department (null: none), `in`, `neq`, or `{"contains": "text"}` (case-insensitive)' }),
  status: comparing(StatusSchema).optional(),
  projectId: comparing(z.uuid().nullable()).optional(),
}

export const ConditionsSchema = z.strictObject(ticketConditions).openapi('WorkflowConditions', {
  description:
    'Ticket fields and what they must be: a value (equality), `{"in": [...]}` or `{"neq": value}`. All must hold.',
  example: { priority: 'critical', department: { in: ['IT', 'Ops'] } },
})

export const TransitionConditionsSchema = z
  .strictObject({
    ...ticketConditions,
    fromStatus: comparing(StatusSchema).optional().openapi({ description: 'The status before the change' }),
    toStatus: comparing(StatusSchema).optional().openapi({ description: 'The status after the change' }),
  })
  .openapi('WorkflowTransitionConditions', {
    description: 'Conditions of a `status_changed` rule: the ticket fields, and the statuses before and after.',
    example: { fromStatus: 'open', toStatus: 'closed' },
  })

export const ActionsSchema = z
  .strictObject({
    assign_user: z.uuid().optional().openapi({ description: 'Adds this (existing) user to the assignees' }),
    change_status: StatusSchema.optional().openapi({
      description: 'Moves the ticket, if the lifecycle allows it; otherwise the action is skipped and recorded',
    }),
    add_comment: text(10_000).optional().openapi({ description: 'A comment by the rule' }),
    send_notification: z
      .strictObject({
        to: z.union([z.literal('reporter'), z.literal('assignees'), z.uuid()]),
        message: text(2000),
      })
      .optional()
      .openapi({ description: 'Notifies a user id (an existing user), the reporter or the assignees' }),
  })
  .refine((actions) => Object.values(actions).some((value) => value !== undefined), {
    message: 'A rule needs at least one action',
  })
  .openapi('WorkflowActions', {
    description: 'Applied in the order written. Users named here must exist (else 422).',
    minProperties: 1,
    example: { assign_user: '0b7e4f7c-3d42-4c4f-9a4e-2f1d6c7e8a90', add_comment: 'Escalated' },
  })

const Name = text(200).openapi({ example: 'Escalate critical IT tickets' })
const Description = z.string().max(2000)
const Active = z.boolean().openapi({ description: 'Inactive rules never run' })

const ruleBody = {
  name: Name,
  description: Description.default(''),
  actions: ActionsSchema,
  active: Active.default(true),
}

export const CreateRuleSchema = z
  .discriminatedUnion('trigger', [
    z.strictObject({
      ...ruleBody,
      trigger: z.enum(['ticket_created', 'ticket_updated', 'sla_breached']).openapi({
        description: '`sla_breached`: a ticket missed an SLA target (at the due instant; no person made the change)',
      }),
      conditions: ConditionsSchema.default({}),
    }),
    z.strictObject({
      ...ruleBody,
      trigger: z.literal('status_changed'),
      conditions: TransitionConditionsSchema.default({}),
    }),
  ])
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

export const UpdateRuleSchema = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    conditions: TransitionConditionsSchema.optional().openapi({
      description:
        'Replaces all conditions. `fromStatus` and `toStatus` only for a `status_changed` rule (else 400 `E_WORKFLOW_TRIGGER_MISMATCH`).',
    }),
    actions: ActionsSchema.optional().openapi({ description: 'Replaces all actions' }),
    active: Active.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'Send at least one field to change',
  })
  .openapi('UpdateWorkflowRule', {
    description: 'Partial: the fields sent replace those fields; the trigger is fixed at creation.',
    minProperties: 1,
    example: { active: false },
  })

export const RuleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    trigger: z.enum(TRIGGERS).openapi('WorkflowTrigger'),
    conditions: TransitionConditionsSchema,
    actions: ActionsSchema,
    active: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('WorkflowRule')

export const RuleIdParamSchema = z.object({
  ruleId: z.uuid().openapi({ param: { name: 'ruleId', in: 'path' }, description: 'The rule’s id' }),
})

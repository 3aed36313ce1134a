/**
 * Ticket schemas. Status and priority enums come from the domain modules, so the document and the
 * lifecycle rules cannot drift apart.
 */
import { z } from '@hono/zod-openapi'
import { PRIORITIES } from '../../domain/priorities'
import { SLA_TARGETS } from '../../domain/ticket'
import { STATUSES } from '../../domain/ticket-lifecycle'
import { TICKET_SORTS } from '../../domain/ticket-sort'
import { PageQuerySchema } from '../../lib/pagination'
import { text } from '../../lib/schemas'

export const StatusSchema = z.enum(STATUSES).openapi('TicketStatus', {
  description:
    'open → in_progress, closed · in_progress → open, closed, blocked · blocked → in_progress, open · closed → open, in_progress',
})
export const PrioritySchema = z.enum(PRIORITIES).openapi('TicketPriority')

export const SlaSchema = z
  .object({
    firstResponseDueAt: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'When the first response is due; null: no target' }),
    resolutionDueAt: z.iso.datetime().nullable().openapi({ description: 'When closing is due; null: no target' }),
    firstRespondedAt: z.iso
      .datetime()
      .nullable()
      .openapi({ description: 'The first comment or status change by someone other than the reporter' }),
    breached: z.array(z.enum(SLA_TARGETS)).openapi({ description: 'Targets missed, at their due instant' }),
    paused: z.boolean().openapi({
      description:
        'The clocks are stopped (the ticket is blocked and the policy pauses while blocked); the due instants move later by the time stopped when it leaves `blocked`',
    }),
  })
  .openapi('TicketSla', {
    description: 'Where the ticket stands against the SLA policy of its priority (GET /api/v1/sla-policies)',
  })

export const LabelNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[^,]*[^,\s][^,]*$/, 'must not be blank or contain a comma')
  .openapi({ example: 'bug', description: '1–50 characters, no commas; matched case-insensitively' })

/**
 * An instant whose UTC form still has a four-digit year (9999-12-31T23:00-02:00 would not, nor
 * 0000-01-01T00:30+01:00), so it is stored, compared and answered as `YYYY-MM-DDTHH:mm:ss.sssZ`.
 */
const inUtcRange = (value: string) => {
  const year = new Date(value).getUTCFullYear()
  return year >= 0 && year <= 9999
}
const UTC_RANGE = 'must fall in the years 0000–9999 in UTC'

const DueAt = z.iso.datetime({ offset: true }).refine(inUtcRange, UTC_RANGE).nullable().openapi({
  example: '2026-12-24T17:00:00Z',
  description: 'ISO 8601 with `Z` or an offset (stored in UTC); null: none',
})

export const TicketSchema = z
  .object({
    id: z.uuid(),
    key: z.string().openapi({ example: 'TSK-1001' }),
    title: z.string(),
    description: z.string(),
    status: StatusSchema,
    priority: PrioritySchema,
    department: z.string().nullable(),
    projectId: z.uuid().nullable(),
    reporterId: z.uuid(),
    assigneeIds: z.array(z.uuid()),
    labels: z.array(z.string()).openapi({ description: 'Label names as the catalog spells them, sorted' }),
    dueAt: z.iso.datetime().nullable(),
    sla: SlaSchema,
    version: z.number().int().openapi({ description: 'Starts at 1, grows by one on every change; the ETag' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Ticket')

const Title = text(200).openapi({ example: 'Printer on floor 3 is on fire' })
const Description = z.string().max(10_000).openapi({ example: 'Smoke since 9am. Paper jammed.' })
const Department = text(100).nullable().openapi({ example: 'IT' })
const AssigneeIds = z
  .array(z.uuid())
  .max(20)
  .openapi({ description: 'Existing, active users. Managers and admins only' })
const Labels = z
  .array(LabelNameSchema)
  .max(20)
  .openapi({ description: 'Names from the label catalog (400 `E_LABEL_NOT_FOUND` for one it does not have)' })

export const CreateTicketSchema = z
  .strictObject({
    title: Title,
    description: Description,
    priority: PrioritySchema.optional().openapi({ description: 'Default `medium`' }),
    department: Department.optional(),
    projectId: z.uuid().nullable().optional(),
    assigneeIds: AssigneeIds.optional(),
    labels: Labels.optional(),
    dueAt: DueAt.optional(),
  })
  .openapi('CreateTicket')

export const UpdateTicketSchema = z
  .strictObject({
    title: Title.optional(),
    description: Description.optional(),
    status: StatusSchema.optional(),
    priority: PrioritySchema.optional(),
    department: Department.optional(),
    projectId: z.uuid().nullable().optional(),
    assigneeIds: AssigneeIds.optional(),
    labels: Labels.optional().openapi({ description: 'The whole set of labels (replaces the current one)' }),
    dueAt: DueAt.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'Send at least one field to change',
  })
  .openapi('UpdateTicket', { minProperties: 1 })

/** `a,b,c` in a query string: 1–20 label names. */
const LabelList = z
  .string()
  .regex(/^[^,]*[^,\s][^,]*(,[^,]*[^,\s][^,]*){0,19}$/, 'must be 1–20 comma-separated label names')
  .max(1_100)

export const TicketListQuerySchema = PageQuerySchema.extend({
  status: StatusSchema.optional().openapi({ description: 'Only tickets in this status' }),
  priority: PrioritySchema.optional().openapi({ description: 'Only tickets of this priority' }),
  assignee_id: z.uuid().optional().openapi({ description: 'Only tickets assigned to this user' }),
  reporter_id: z.uuid().optional().openapi({ description: 'Only tickets reported by this user' }),
  department: z.string().min(1).max(100).optional().openapi({ description: 'Only tickets of this department' }),
  project_id: z.uuid().optional().openapi({ description: 'Only tickets in this project' }),
  q: text(200)
    .optional()
    .openapi({ description: 'Words in the title or description (each word matches as a prefix; all must match)' }),
  label: LabelList.optional().openapi({
    description: 'Comma-separated label names: only tickets with all of them',
    example: 'bug,customer',
  }),
  any_label: LabelList.optional().openapi({
    description: 'Comma-separated label names: only tickets with at least one of them',
    example: 'bug,incident',
  }),
  due_before: z.iso
    .datetime({ offset: true })
    .refine(inUtcRange, UTC_RANGE)
    .optional()
    .openapi({ description: 'Only tickets due strictly before this instant' }),
  due_after: z.iso
    .datetime({ offset: true })
    .refine(inUtcRange, UTC_RANGE)
    .optional()
    .openapi({ description: 'Only tickets due strictly after this instant' }),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: '`true`: only tickets due in the past and not closed; `false`: only the others' }),
  sort: z.enum(TICKET_SORTS).default('-createdAt').openapi({
    description:
      'Field to sort by; a leading `-` sorts descending. Default `-createdAt` (newest first). `dueAt` and `-dueAt` put tickets without a due date last',
  }),
})

export const TicketIdParamSchema = z.object({
  ticketId: z.uuid().openapi({ param: { name: 'ticketId', in: 'path' }, description: 'The ticket’s id' }),
})

export const TicketKeyParamSchema = z.object({
  ticketKey: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,9}-\d{1,12}$/, 'must look like TSK-1001')
    .openapi({ param: { name: 'ticketKey', in: 'path' }, description: 'The ticket’s key', example: 'TSK-1001' }),
})

export const IfMatchHeaderSchema = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({ description: 'The ticket’s ETag (`"<version>"`); the update is refused with 412 unless it matches' }),
})

export const IdempotencyHeaderSchema = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional()
    .openapi({
      description:
        'Makes a retried create return the first result (same status and ticket) instead of a second ticket. Keys are per caller and remembered for 24 hours; reusing one with a different body is refused with 422 `E_IDEMPOTENCY_KEY_REUSED`.',
    }),
})

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])
export const HistoryValueSchema = z
  .union([Scalar, z.record(z.string(), Scalar)])
  .openapi('HistoryValue', { description: 'A field value, or for `created` a snapshot of the new ticket’s fields' })

export const HistoryEntrySchema = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    userId: z
      .uuid()
      .nullable()
      .openapi({ description: 'Who made the change (for rule effects: who triggered the rule)' }),
    ruleId: z.uuid().nullable().openapi({ description: 'The workflow rule that made the change, if any' }),
    action: z.string().openapi({
      example: 'updated_status',
      description: '`created`, `updated_<field>` (`updated_status`, `updated_assignees`, …) or `workflow_<action>`',
    }),
    oldValue: HistoryValueSchema,
    newValue: HistoryValueSchema,
    createdAt: z.iso.datetime(),
  })
  .openapi('TicketHistoryEntry')

export const CommentSchema = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    authorId: z.uuid().nullable().openapi({ description: 'Null when a workflow rule wrote the comment' }),
    ruleId: z.uuid().nullable(),
    body: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Comment')

export const CreateCommentSchema = z
  .strictObject({ body: text(10_000).openapi({ example: 'Replaced the toner.' }) })
  .openapi('CreateComment')

export const CommentIdParamSchema = TicketIdParamSchema.extend({
  commentId: z.uuid().openapi({ param: { name: 'commentId', in: 'path' }, description: 'The comment’s id' }),
})

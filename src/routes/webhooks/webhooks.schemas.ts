/**
 * Webhook schemas: endpoints, their secrets, the delivery log, and the payload of every event type
 * (published in the OpenAPI document's `webhooks` section, so receivers can generate types too).
 */
import { z } from '@hono/zod-openapi'
import { SLA_TARGETS } from '../../domain/ticket'
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events'
import { MAX_WEBHOOK_URL_LENGTH } from '../../domain/webhook-urls'
import { AttachmentSchema } from '../attachments/attachments.schemas'
import { CommentSchema, TicketSchema } from '../tickets/tickets.schemas'

const SUBSCRIBABLE = WEBHOOK_EVENT_TYPES.filter((type) => type !== 'ping')

export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES).openapi('WebhookEventType')

const Events = z
  .array(z.enum([...SUBSCRIBABLE, '*']))
  .min(1)
  .max(SUBSCRIBABLE.length + 1)
  .openapi({ description: 'Event types to receive, or `["*"]` for all (`ping` always reaches its endpoint)' })

/** The shape a URL must have (422 otherwise); what it may point at is a rule of its own (400). */
const Url = z
  .string()
  .max(MAX_WEBHOOK_URL_LENGTH)
  .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
  .openapi({
    description:
      'An absolute `http(s)://` URL of at most 2,048 characters. Refused with 400 `E_WEBHOOK_URL_NOT_ALLOWED` (`details.reason`): anything but `https://` (in development `http://localhost` and `http://127.0.0.1` are allowed too), credentials, a fragment, a URL that does not parse, and outside development an IP literal in a private, loopback or link-local range.',
    example: 'https://hooks.example.com/ticketing',
  })

const Description = z.string().trim().max(500)

export const WebhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()),
    projectId: z.uuid().nullable().openapi({ description: 'Only this project’s tickets, when set' }),
    active: z.boolean(),
    disabledReason: z.string().nullable().openapi({ description: 'Why the API turned it off (`failing_for_5_days`)' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Webhook')

const Secret = z.string().openapi({
  description:
    'The signing secret, `whsec_<base64>`: shown here only. Verify deliveries with a Standard Webhooks library.',
})

export const CreatedWebhookSchema = WebhookSchema.extend({ secret: Secret }).openapi('CreatedWebhook')
export const WebhookSecretSchema = z.object({ secret: Secret }).openapi('WebhookSecret')

export const CreateWebhookSchema = z
  .strictObject({
    url: Url,
    events: Events,
    description: Description.default(''),
    projectId: z.uuid().nullable().default(null),
    active: z.boolean().default(true),
  })
  .openapi('CreateWebhook')

export const UpdateWebhookSchema = z
  .strictObject({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.optional(),
    projectId: z.uuid().nullable().optional(),
    active: z.boolean().optional().openapi({ description: 'Turning it back on clears `disabledReason`' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'Send at least one field to change' })
  .openapi('UpdateWebhook', { minProperties: 1 })

export const DeliverySchema = z
  .object({
    id: z.uuid(),
    eventType: WebhookEventTypeSchema,
    webhookMessageId: z.string().openapi({ description: 'The `webhook-id` header: the same on every attempt' }),
    status: z.enum(['pending', 'retrying', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastAttemptAt: z.iso.datetime().nullable(),
    nextAttemptAt: z.iso.datetime().nullable(),
    responseStatus: z.number().int().nullable(),
    durationMs: z.number().int().nullable(),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('WebhookDelivery')

export const WebhookIdParamSchema = z.object({
  webhookId: z.uuid().openapi({ param: { name: 'webhookId', in: 'path' }, description: 'The webhook’s id' }),
})

export const DeliveryParamsSchema = WebhookIdParamSchema.extend({
  deliveryId: z.uuid().openapi({ param: { name: 'deliveryId', in: 'path' }, description: 'The delivery’s id' }),
})

const Change = z.object({ from: z.unknown(), to: z.unknown() })

/** The body of every delivery: the event, when, which workspace, and what happened. */
export const eventPayloadSchema = (type: (typeof WEBHOOK_EVENT_TYPES)[number]) =>
  z.object({
    type: z.literal(type),
    timestamp: z.iso.datetime(),
    workspace: z.string().openapi({ description: 'The workspace’s slug' }),
    data: z.object({
      ...(type === 'ping'
        ? {}
        : { ticket: TicketSchema.openapi({ description: 'The ticket as it is now, with its `version`' }) }),
      ...(type.startsWith('ticket.') && !['ticket.created', 'ticket.deleted', 'ticket.sla_breached'].includes(type)
        ? { changes: z.record(z.string(), Change).openapi({ description: 'Each changed field, `{from, to}`' }) }
        : {}),
      ...(type === 'comment.created' ? { comment: CommentSchema } : {}),
      ...(type === 'ticket.sla_breached'
        ? {
            breach: z
              .object({ target: z.enum(SLA_TARGETS), dueAt: z.iso.datetime() })
              .openapi({ description: 'The target missed and when it was due' }),
          }
        : {}),
      ...(type.startsWith('attachment.') ? { attachment: AttachmentSchema } : {}),
      actor: z.object({ id: z.uuid(), name: z.string() }).nullable(),
      rule: z.uuid().nullable().openapi({ description: 'The workflow rule that made the change, if one did' }),
    }),
  })

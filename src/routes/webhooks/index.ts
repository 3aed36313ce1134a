/**
 * Wires the webhook routes to their handlers (mounted at /api/v1/webhooks), and publishes every
 * event type's payload in the OpenAPI document's `webhooks` section.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events'
import { createRouter } from '../../lib/create-router'
import * as handlers from './webhooks.handlers'
import * as routes from './webhooks.routes'
import { eventPayloadSchema } from './webhooks.schemas'

export const webhooksRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.ping, handlers.ping)
  .openapi(routes.rotateSecret, handlers.rotateSecret)
  .openapi(routes.deliveries, handlers.deliveries)
  .openapi(routes.redeliver, handlers.redeliver)

const SIGNED = {
  'webhook-id': 'The message id: the same on every attempt; receivers dedupe on it',
  'webhook-timestamp': 'Unix seconds of this attempt',
  'webhook-signature': '`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per live secret, space-separated',
}

/** One `webhooks` entry per event type: the POST a subscribed endpoint receives. */
export function registerWebhookEvents(registry: OpenAPIHono['openAPIRegistry']) {
  for (const type of WEBHOOK_EVENT_TYPES) {
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `webhook_${type.replace('.', '_')}`,
      summary: `The ${type} event`,
      description: `Sent per Standard Webhooks 1.0 with the headers ${Object.entries(SIGNED)
        .map(([name, what]) => `\`${name}\` (${what})`)
        .join(', ')}. Any 2xx acknowledges it; anything else, or no answer within 10 s, is retried.`,
      tags: ['Webhooks'],
      request: { body: { content: { 'application/json': { schema: eventPayloadSchema(type) } } } },
      responses: { 200: { description: 'Acknowledged (any 2xx)' } },
    })
  }
}

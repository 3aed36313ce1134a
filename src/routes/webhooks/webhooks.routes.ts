/**
 * Webhook routes (admins; API tokens need `webhooks:write`): endpoints, ping, secret rotation, the
 * delivery log and redelivery. What is delivered and how it is signed: the OpenAPI `webhooks`
 * section and docs/behaviour.md.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent, namedInBody } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import {
  CreatedWebhookSchema,
  CreateWebhookSchema,
  DeliveryParamsSchema,
  DeliverySchema,
  UpdateWebhookSchema,
  WebhookIdParamSchema,
  WebhookSchema,
  WebhookSecretSchema,
} from './webhooks.schemas'

const common = { tags: ['Webhooks'], ...access('webhooks:write', requireRole('admin')) }
const ADMIN_ERRORS = [...AUTH_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS'] as const

export const list = createRoute({
  ...common,
  method: 'get',
  path: '/',
  operationId: 'listWebhooks',
  summary: 'List webhooks (admin)',
  request: { query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(WebhookSchema), 'A page of webhooks'), headers: pageHeaders },
    ...errorResponses(...ADMIN_ERRORS, 'E_VALIDATION_ERROR'),
  },
})

export const create = createRoute({
  ...common,
  method: 'post',
  path: '/',
  operationId: 'createWebhook',
  summary: 'Create a webhook (admin)',
  description:
    'Events are signed per Standard Webhooks with the returned `secret` (shown only here and by `rotate-secret`), delivered at least once, and retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h before a delivery is `failed`.',
  request: { body: jsonBody(CreateWebhookSchema) },
  responses: {
    201: {
      ...jsonContent(CreatedWebhookSchema, 'Webhook created: store `secret` now'),
      headers: { Location: { description: 'URL of the webhook', schema: { type: 'string' } } },
    },
    ...errorResponses(...ADMIN_ERRORS, ...BODY_ERRORS, 'E_WEBHOOK_URL_NOT_ALLOWED', namedInBody('E_PROJECT_NOT_FOUND')),
  },
})

export const get = createRoute({
  ...common,
  method: 'get',
  path: '/{webhookId}',
  operationId: 'getWebhook',
  summary: 'Read a webhook (admin)',
  request: { params: WebhookIdParamSchema },
  responses: {
    200: jsonContent(WebhookSchema, 'The webhook'),
    ...errorResponses(...ADMIN_ERRORS, 'E_WEBHOOK_NOT_FOUND', 'E_VALIDATION_ERROR'),
  },
})

export const update = createRoute({
  ...common,
  method: 'put',
  path: '/{webhookId}',
  operationId: 'updateWebhook',
  summary: 'Change a webhook (admin; partial)',
  request: { params: WebhookIdParamSchema, body: jsonBody(UpdateWebhookSchema) },
  responses: {
    200: jsonContent(WebhookSchema, 'The changed webhook'),
    ...errorResponses(
      ...ADMIN_ERRORS,
      ...BODY_ERRORS,
      'E_WEBHOOK_NOT_FOUND',
      'E_WEBHOOK_URL_NOT_ALLOWED',
      namedInBody('E_PROJECT_NOT_FOUND'),
    ),
  },
})

export const remove = createRoute({
  ...common,
  method: 'delete',
  path: '/{webhookId}',
  operationId: 'deleteWebhook',
  summary: 'Delete a webhook (admin)',
  description: 'Its pending deliveries are dropped, with its delivery log.',
  request: { params: WebhookIdParamSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(...ADMIN_ERRORS, 'E_WEBHOOK_NOT_FOUND', 'E_VALIDATION_ERROR'),
  },
})

export const ping = createRoute({
  ...common,
  method: 'post',
  path: '/{webhookId}/ping',
  operationId: 'pingWebhook',
  summary: 'Send a ping event now (admin)',
  request: { params: WebhookIdParamSchema },
  responses: {
    202: { description: 'Queued: see the delivery log' },
    ...errorResponses(...ADMIN_ERRORS, 'E_WEBHOOK_NOT_FOUND', 'E_WEBHOOK_INACTIVE', 'E_VALIDATION_ERROR'),
  },
})

export const rotateSecret = createRoute({
  ...common,
  method: 'post',
  path: '/{webhookId}/rotate-secret',
  operationId: 'rotateWebhookSecret',
  summary: 'Rotate the signing secret (admin)',
  description: 'For 24 hours both secrets sign every delivery (two signatures in `webhook-signature`).',
  request: { params: WebhookIdParamSchema },
  responses: {
    200: jsonContent(WebhookSecretSchema, 'The new secret: shown only here'),
    ...errorResponses(...ADMIN_ERRORS, 'E_WEBHOOK_NOT_FOUND', 'E_VALIDATION_ERROR'),
  },
})

export const deliveries = createRoute({
  ...common,
  method: 'get',
  path: '/{webhookId}/deliveries',
  operationId: 'listWebhookDeliveries',
  summary: 'The delivery log, newest first (admin)',
  description: 'Kept 30 days.',
  request: { params: WebhookIdParamSchema, query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(DeliverySchema), 'A page of deliveries'), headers: pageHeaders },
    ...errorResponses(...ADMIN_ERRORS, 'E_WEBHOOK_NOT_FOUND', 'E_VALIDATION_ERROR'),
  },
})

export const redeliver = createRoute({
  ...common,
  method: 'post',
  path: '/{webhookId}/deliveries/{deliveryId}/redeliver',
  operationId: 'redeliverWebhook',
  summary: 'One more attempt now, with the same webhook-id (admin)',
  request: { params: DeliveryParamsSchema },
  responses: {
    202: { description: 'Queued' },
    ...errorResponses(...ADMIN_ERRORS, 'E_WEBHOOK_DELIVERY_NOT_FOUND', 'E_WEBHOOK_INACTIVE', 'E_VALIDATION_ERROR'),
  },
})

/**
 * The caller's own notifications: newest first, optionally only unread, and marking one read.
 * Nobody can see or mark another user's notifications (404).
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access } from '../../auth/middleware'
import { AUTH_ERRORS, errorResponses, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'

const common = { tags: ['Notifications'] }

export const NotificationSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    ticketId: z.uuid().nullable(),
    ruleId: z.uuid().nullable().openapi({ description: 'The workflow rule that sent it, if any' }),
    kind: z.enum(['rule', 'assigned', 'status_changed', 'watching', 'sla_breached', 'webhook_disabled']).openapi({
      description:
        '`rule`: a send_notification action; `assigned`: you were assigned; `status_changed`: your ticket moved; `watching`: a ticket you watch changed (not by you); `sla_breached`: a ticket you are assigned to or watch missed an SLA target; `webhook_disabled` (admins): a webhook endpoint failed for 5 days and was turned off',
    }),
    message: z.string(),
    read: z.boolean(),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    emailStatus: z.enum(['disabled', 'pending', 'queued', 'sent', 'failed']).openapi({
      description:
        'Email delivery: `pending` until handed to the email queue (about 200 ms after the change commits, ' +
        'so a burst shares one batch), `queued`, then `sent` or, after the last retry, `failed`; ' +
        '`disabled` when email is not configured (in-app only)',
    }),
  })
  .openapi('Notification')

export const list = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/',
  operationId: 'listNotifications',
  summary: 'The caller’s notifications, newest first',
  request: {
    query: PageQuerySchema.extend({
      unread: z
        .enum(['true', 'false'])
        .transform((value) => value === 'true')
        .optional()
        .openapi({ type: 'boolean', description: 'Only unread ones' }),
    }),
  },
  responses: {
    200: { ...jsonContent(z.array(NotificationSchema), 'A page of notifications'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR'),
  },
})

export const markRead = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'post',
  path: '/{notificationId}/read',
  operationId: 'markNotificationRead',
  summary: 'Mark one of the caller’s notifications read',
  description: 'Idempotent: marking a read notification again changes nothing.',
  request: {
    params: z.object({
      notificationId: z
        .uuid()
        .openapi({ param: { name: 'notificationId', in: 'path' }, description: 'The notification’s id' }),
    }),
  },
  responses: {
    200: jsonContent(NotificationSchema, 'The notification, read'),
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_NOTIFICATION_NOT_FOUND'),
  },
})

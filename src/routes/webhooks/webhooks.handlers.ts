/** Webhook handlers: URLs are checked and secrets made here, in the Worker; the store keeps both. */
import type { Context } from 'hono'
import { webhookUrlProblem } from '../../domain/webhook-urls'
import type { AppEnv, AppRouteHandler } from '../../lib/app-env'
import { ApiError, unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import { newWebhookSecret } from '../../lib/standard-webhooks'
import type * as routes from './webhooks.routes'

const PROBLEMS = {
  not_a_url: 'must be an absolute URL',
  too_long: 'must be at most 2,048 characters',
  not_https: 'must use https:// (http://localhost and http://127.0.0.1 only in development)',
  has_credentials: 'must not carry a user name or password',
  has_fragment: 'must not have a #fragment',
  private_address: 'must not be a private, loopback or link-local address',
}

function checkUrl(c: Context<AppEnv>, url: string | undefined) {
  if (url === undefined) return
  const problem = webhookUrlProblem(url, c.get('config').environment === 'development')
  if (!problem) return
  throw new ApiError('E_WEBHOOK_URL_NOT_ALLOWED', {
    message: `The webhook URL ${PROBLEMS[problem]}`,
    details: { reason: problem },
  })
}

export const list: AppRouteHandler<typeof routes.list> = async (c) =>
  pageResponse(c, await unwrap(c.get('store').listWebhooks(c.get('auth').actor, pageArgs(c.req.valid('query')))))

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const input = c.req.valid('json')
  checkUrl(c, input.url)
  const created = await unwrap(c.get('store').createWebhook(c.get('auth').actor, input, newWebhookSecret()))
  c.header('Location', `/api/v1/webhooks/${created.id}`)
  c.header('Cache-Control', 'no-store')
  return c.json(created, 201)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) =>
  c.json(await unwrap(c.get('store').getWebhook(c.get('auth').actor, c.req.valid('param').webhookId)), 200)

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const patch = c.req.valid('json')
  checkUrl(c, patch.url)
  const { webhookId } = c.req.valid('param')
  return c.json(await unwrap(c.get('store').updateWebhook(c.get('auth').actor, webhookId, patch)), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  await unwrap(c.get('store').deleteWebhook(c.get('auth').actor, c.req.valid('param').webhookId))
  return c.body(null, 204)
}

export const ping: AppRouteHandler<typeof routes.ping> = async (c) => {
  await unwrap(c.get('store').pingWebhook(c.get('auth').actor, c.req.valid('param').webhookId))
  return c.body(null, 202)
}

export const rotateSecret: AppRouteHandler<typeof routes.rotateSecret> = async (c) => {
  const { webhookId } = c.req.valid('param')
  const rotated = await unwrap(c.get('store').rotateWebhookSecret(c.get('auth').actor, webhookId, newWebhookSecret()))
  c.header('Cache-Control', 'no-store')
  return c.json(rotated, 200)
}

export const deliveries: AppRouteHandler<typeof routes.deliveries> = async (c) => {
  const { webhookId } = c.req.valid('param')
  const page = pageArgs(c.req.valid('query'))
  return pageResponse(c, await unwrap(c.get('store').listWebhookDeliveries(c.get('auth').actor, webhookId, page)))
}

export const redeliver: AppRouteHandler<typeof routes.redeliver> = async (c) => {
  const { webhookId, deliveryId } = c.req.valid('param')
  await unwrap(c.get('store').redeliverWebhook(c.get('auth').actor, webhookId, deliveryId))
  return c.body(null, 202)
}

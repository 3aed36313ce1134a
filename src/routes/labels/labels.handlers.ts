/** Label handlers: thin calls into the store. */
import type { AppRouteHandler } from '../../lib/app-env'
import { unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type * as routes from './labels.routes'

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const page = pageArgs(c.req.valid('query'), 1)
  return pageResponse(c, await unwrap(c.get('store').listLabels(c.get('auth').actor, page)))
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const label = await unwrap(c.get('store').createLabel(c.get('auth').actor, c.req.valid('json')))
  c.header('Location', `/api/v1/labels/${label.id}`)
  return c.json(label, 201)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { labelId } = c.req.valid('param')
  return c.json(await unwrap(c.get('store').getLabel(c.get('auth').actor, labelId)), 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { labelId } = c.req.valid('param')
  return c.json(await unwrap(c.get('store').updateLabel(c.get('auth').actor, labelId, c.req.valid('json'))), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { labelId } = c.req.valid('param')
  await unwrap(c.get('store').deleteLabel(c.get('auth').actor, labelId))
  return c.body(null, 204)
}

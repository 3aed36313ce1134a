/** Watcher handlers: thin calls into the store. */
import type { AppRouteHandler } from '../../lib/app-env'
import { unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type * as routes from './watchers.routes'

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { ticketId } = c.req.valid('param')
  const page = pageArgs(c.req.valid('query'))
  return pageResponse(c, await unwrap(c.get('store').listWatchers(c.get('auth').actor, ticketId, page)))
}

export const watch: AppRouteHandler<typeof routes.watch> = async (c) => {
  await unwrap(c.get('store').setWatching(c.get('auth').actor, c.req.valid('param').ticketId, null, true))
  return c.body(null, 204)
}

export const unwatch: AppRouteHandler<typeof routes.unwatch> = async (c) => {
  await unwrap(c.get('store').setWatching(c.get('auth').actor, c.req.valid('param').ticketId, null, false))
  return c.body(null, 204)
}

export const addWatcher: AppRouteHandler<typeof routes.addWatcher> = async (c) => {
  const { ticketId, userId } = c.req.valid('param')
  await unwrap(c.get('store').setWatching(c.get('auth').actor, ticketId, userId, true))
  return c.body(null, 204)
}

export const removeWatcher: AppRouteHandler<typeof routes.removeWatcher> = async (c) => {
  const { ticketId, userId } = c.req.valid('param')
  await unwrap(c.get('store').setWatching(c.get('auth').actor, ticketId, userId, false))
  return c.body(null, 204)
}

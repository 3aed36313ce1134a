/** Notification routes and their (thin) handlers. */
import { createRouter } from '../../lib/create-router'
import { unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import * as routes from './notifications.routes'

export const notificationsRouter = createRouter()
  .openapi(routes.list, async (c) => {
    const { unread, ...query } = c.req.valid('query')
    const page = pageArgs(query)
    return pageResponse(c, await unwrap(c.get('store').listNotifications(c.get('auth').actor, unread ?? false, page)))
  })
  .openapi(routes.markRead, async (c) => {
    const { notificationId } = c.req.valid('param')
    return c.json(await unwrap(c.get('store').markNotificationRead(c.get('auth').actor, notificationId)), 200)
  })

/** Notification routes and their (thin) handlers. */
import { createRouter } from '../../lib/create-router'
import { unwrap } from '../../lib/errors'
import { decodeCursor, setPageHeaders } from '../../lib/pagination'
import * as routes from './notifications.routes'

export const notificationsRouter = createRouter()
  .openapi(routes.list, async (c) => {
    const { limit, cursor, unread } = c.req.valid('query')
    const page = await unwrap(
      c.get('store').listNotifications(c.get('auth').actor, unread ?? false, decodeCursor(cursor, 1), limit),
    )
    setPageHeaders(c, page)
    return c.json(page.items, 200)
  })
  .openapi(routes.markRead, async (c) => {
    const { notificationId } = c.req.valid('param')
    return c.json(await unwrap(c.get('store').markNotificationRead(c.get('auth').actor, notificationId)), 200)
  })

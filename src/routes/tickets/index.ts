/** Wires the ticket, history and comment routes; `/my` and `/key/…` before `/{ticketId}`. */
import { createRouter } from '../../lib/create-router'
import * as activityHandlers from './activity.handlers'
import * as activity from './activity.routes'
import * as handlers from './tickets.handlers'
import * as routes from './tickets.routes'

export const ticketsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.my, handlers.my)
  .openapi(routes.getByKey, handlers.getByKey)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(activity.history, activityHandlers.history)
  .openapi(activity.listComments, activityHandlers.listComments)
  .openapi(activity.addComment, activityHandlers.addComment)
  .openapi(activity.getComment, activityHandlers.getComment)

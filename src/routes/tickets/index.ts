/** Wires the ticket, history, comment and watcher routes; `/my` and `/key/…` before `/{ticketId}`. */
import { createRouter } from '../../lib/create-router'
import * as activityHandlers from './activity.handlers'
import * as activity from './activity.routes'
import * as handlers from './tickets.handlers'
import * as routes from './tickets.routes'
import * as watcherHandlers from './watchers.handlers'
import * as watchers from './watchers.routes'

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
  .openapi(watchers.list, watcherHandlers.list)
  .openapi(watchers.watch, watcherHandlers.watch)
  .openapi(watchers.unwatch, watcherHandlers.unwatch)
  .openapi(watchers.addWatcher, watcherHandlers.addWatcher)
  .openapi(watchers.removeWatcher, watcherHandlers.removeWatcher)

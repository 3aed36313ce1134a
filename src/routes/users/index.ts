/** Wires the user routes to their handlers. */
import { createRouter } from '../../lib/create-router'
import * as handlers from './users.handlers'
import * as routes from './users.routes'

export const usersRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)

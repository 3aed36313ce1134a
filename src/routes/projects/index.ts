/** Wires the project routes to their handlers. */
import { createRouter } from '../../lib/create-router'
import * as handlers from './projects.handlers'
import * as routes from './projects.routes'

export const projectsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)

/** Wires the workspace routes to their handlers (mounted at /api/v1). */
import { createRouter } from '../../lib/create-router'
import * as handlers from './workspaces.handlers'
import * as routes from './workspaces.routes'

export const workspacesRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)

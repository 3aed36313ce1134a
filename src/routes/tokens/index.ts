/** Wires the API token routes to their handlers (mounted at /api/v1/auth/tokens). */
import { createRouter } from '../../lib/create-router'
import * as handlers from './tokens.handlers'
import * as routes from './tokens.routes'

export const tokensRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.revoke, handlers.revoke)

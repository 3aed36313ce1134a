/** Wires the label routes to their handlers. */
import { createRouter } from '../../lib/create-router'
import * as handlers from './labels.handlers'
import * as routes from './labels.routes'

export const labelsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)

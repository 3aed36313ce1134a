/** Wires the workflow rule routes; their bodies fail as `E_WORKFLOW_INVALID_RULE`. */
import { createRouter } from '../../lib/create-router'
import * as handlers from './workflows.handlers'
import * as routes from './workflows.routes'

export const workflowsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create, handlers.ruleHook)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update, handlers.ruleHook)
  .openapi(routes.remove, handlers.remove)

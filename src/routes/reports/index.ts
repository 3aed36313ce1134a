/** Report routes and their (thin) handlers. */
import { createRouter } from '../../lib/create-router'
import { unwrap } from '../../lib/errors'
import * as routes from './reports.routes'

export const reportsRouter = createRouter()
  .openapi(routes.dashboard, async (c) => c.json(await unwrap(c.get('store').dashboard(c.get('auth').actor)), 200))
  .openapi(routes.byStatus, async (c) => c.json(await unwrap(c.get('store').ticketsByStatus(c.get('auth').actor)), 200))
  .openapi(routes.byPriority, async (c) =>
    c.json(await unwrap(c.get('store').ticketsByPriority(c.get('auth').actor)), 200),
  )
  .openapi(routes.byDepartment, async (c) =>
    c.json(await unwrap(c.get('store').ticketsByDepartment(c.get('auth').actor)), 200),
  )
  .openapi(routes.userActivity, async (c) =>
    c.json(await unwrap(c.get('store').userActivity(c.get('auth').actor, c.req.valid('query').days)), 200),
  )
  .openapi(routes.slaCompliance, async (c) =>
    c.json(await unwrap(c.get('store').slaReport(c.get('auth').actor, c.req.valid('query').days)), 200),
  )

/** History and comment handlers: thin calls into the store. */
import type { AppRouteHandler } from '../../lib/app-env'
import { unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type * as routes from './activity.routes'

export const history: AppRouteHandler<typeof routes.history> = async (c) => {
  const { ticketId } = c.req.valid('param')
  const page = pageArgs(c.req.valid('query'))
  return pageResponse(c, await unwrap(c.get('store').ticketHistory(c.get('auth').actor, ticketId, page)))
}

export const listComments: AppRouteHandler<typeof routes.listComments> = async (c) => {
  const { ticketId } = c.req.valid('param')
  const page = pageArgs(c.req.valid('query'))
  return pageResponse(c, await unwrap(c.get('store').ticketComments(c.get('auth').actor, ticketId, page)))
}

export const addComment: AppRouteHandler<typeof routes.addComment> = async (c) => {
  const { ticketId } = c.req.valid('param')
  const comment = await unwrap(c.get('store').addComment(c.get('auth').actor, ticketId, c.req.valid('json').body))
  c.header('Location', `/api/v1/tickets/${ticketId}/comments/${comment.id}`)
  return c.json(comment, 201)
}

export const getComment: AppRouteHandler<typeof routes.getComment> = async (c) => {
  const { ticketId, commentId } = c.req.valid('param')
  return c.json(await unwrap(c.get('store').ticketComment(c.get('auth').actor, ticketId, commentId)), 200)
}

/** Wires the attachment routes; the fixed paths come before `/{attachmentId}`. */
import { createRouter } from '../../lib/create-router'
import * as handlers from './attachments.handlers'
import * as routes from './attachments.routes'

export const attachmentsRouter = createRouter()
  .openapi(routes.presign, handlers.presign)
  .openapi(routes.upload, handlers.upload)
  .openapi(routes.create, handlers.create)
  .openapi(routes.listForTicket, handlers.listForTicket)
  .openapi(routes.download, handlers.download)
  .openapi(routes.get, handlers.get)
  .openapi(routes.remove, handlers.remove)

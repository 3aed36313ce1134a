/**
 * Attachment routes. Files live in R2 and never pass through the Durable Object: the API signs an
 * upload URL (after the store confirms the caller can see the ticket), the Worker streams the PUT
 * into R2, and the record is written only once R2 has the object. Who can see the ticket can see
 * its attachments; everyone else gets 404.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent, publicSecurity } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import {
  AttachmentIdParamSchema,
  AttachmentSchema,
  AttachmentWithUrlSchema,
  CreateAttachmentSchema,
  DownloadQuerySchema,
  FileParamsSchema,
  PresignResponseSchema,
  PresignSchema,
  TicketIdParamSchema,
  UploadQuerySchema,
} from './attachments.schemas'

const tags = ['Attachments']
const common = { tags }

export const presign = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'post',
  path: '/presigned-url',
  operationId: 'createUploadUrl',
  summary: 'Get a URL to upload one file to a ticket',
  description:
    'The URL accepts exactly one `PUT` of the declared size and content type within 15 minutes. Size and type are checked against the configured limit and allow-list (422).',
  request: { body: jsonBody(PresignSchema) },
  responses: {
    200: jsonContent(PresignResponseSchema, 'Where and how to upload'),
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_TICKET_NOT_FOUND'),
  },
})

export const upload = createRoute({
  method: 'put',
  path: '/upload/{ticketId}/{fileId}',
  operationId: 'uploadFile',
  summary: 'Upload the bytes of a file (signed URL)',
  description:
    'Called through the `uploadUrl` from `/presigned-url`; the signature in the query string is the authorisation. `Content-Length` must equal the signed size and `Content-Type` the signed type. The body is streamed into R2, never buffered. A second upload to the same URL is refused (409).',
  tags,
  security: publicSecurity,
  request: {
    params: FileParamsSchema,
    query: UploadQuerySchema,
    body: {
      required: true,
      description:
        'The file’s bytes, sent with the signed `Content-Type` and `Content-Length` (the `headers` of the presigned URL)',
      content: { '*/*': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } },
    },
  },
  responses: {
    200: jsonContent(z.object({ fileKey: z.string(), size: z.number().int() }).openapi('UploadedFile'), 'Stored in R2'),
    ...errorResponses(
      'E_VALIDATION_ERROR',
      'E_UPLOAD_URL_INVALID',
      'E_UPLOAD_URL_EXPIRED',
      'E_UPLOAD_MISMATCH',
      'E_LENGTH_REQUIRED',
      'E_UPLOAD_ALREADY_USED',
      'E_WORKSPACE_NOT_FOUND',
      'E_SERVICE_MISCONFIGURED',
    ),
  },
})

export const create = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'post',
  path: '/',
  operationId: 'createAttachment',
  summary: 'Record an uploaded file as an attachment of its ticket',
  description:
    'Refused unless the object is really in R2 under `fileKey` with that size and type (400 `E_ATTACHMENT_NOT_UPLOADED`). The record and the ticket’s `attachment_added` history entry are written together.',
  request: { body: jsonBody(CreateAttachmentSchema) },
  responses: {
    201: {
      ...jsonContent(AttachmentSchema, 'Attachment recorded'),
      headers: { Location: { description: 'URL of the attachment', schema: { type: 'string' } } },
    },
    ...errorResponses(
      ...AUTH_ERRORS,
      ...BODY_ERRORS,
      'E_ATTACHMENT_NOT_UPLOADED',
      'E_TICKET_NOT_FOUND',
      'E_ATTACHMENT_EXISTS',
    ),
  },
})

export const listForTicket = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/ticket/{ticketId}',
  operationId: 'listTicketAttachments',
  summary: 'A ticket’s attachments, oldest first',
  request: { params: TicketIdParamSchema, query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(AttachmentSchema), 'A page of attachments'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_TICKET_NOT_FOUND'),
  },
})

export const download = createRoute({
  method: 'get',
  path: '/download/{ticketId}/{fileId}',
  operationId: 'downloadFile',
  summary: 'Download a file (signed URL)',
  description:
    'Called through the `downloadUrl` of an attachment; streams the bytes from R2 with the stored type, `Content-Length`, a safe `Content-Disposition` and `X-Content-Type-Options: nosniff`. Once the attachment is deleted, every URL handed out for it answers 404.',
  tags,
  security: publicSecurity,
  request: { params: FileParamsSchema, query: DownloadQuerySchema },
  responses: {
    200: {
      description: 'The file’s bytes, with the content type it was uploaded with',
      content: { '*/*': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } },
    },
    ...errorResponses(
      'E_VALIDATION_ERROR',
      'E_DOWNLOAD_URL_INVALID',
      'E_DOWNLOAD_URL_EXPIRED',
      'E_ATTACHMENT_NOT_FOUND',
      'E_SERVICE_MISCONFIGURED',
    ),
  },
})

export const get = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/{attachmentId}',
  operationId: 'getAttachment',
  summary: 'An attachment, with a short-lived download URL',
  request: { params: AttachmentIdParamSchema },
  responses: {
    200: jsonContent(AttachmentWithUrlSchema, 'The attachment'),
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_ATTACHMENT_NOT_FOUND'),
  },
})

export const remove = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'delete',
  path: '/{attachmentId}',
  operationId: 'deleteAttachment',
  summary: 'Delete an attachment (uploader, manager, admin)',
  description:
    'Removes the record and writes `attachment_removed` to the ticket’s history in one transaction; the R2 object is deleted right after by the workspace’s alarm (queued in that same transaction, so a record never points at a missing object).',
  request: { params: AttachmentIdParamSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(
      ...AUTH_ERRORS,
      'E_VALIDATION_ERROR',
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_ATTACHMENT_NOT_FOUND',
    ),
  },
})

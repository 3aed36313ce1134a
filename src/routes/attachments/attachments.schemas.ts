/** Attachment schemas: the record, upload requests and the signed-URL query parameters. */
import { z } from '@hono/zod-openapi'
import { JURISDICTIONS } from '../../domain/workspaces'
import { queryInteger, WorkspaceSlugSchema } from '../../lib/schemas'

export const AttachmentSchema = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int().openapi({ description: 'Bytes' }),
    fileKey: z.string().openapi({
      description: '`tickets/<ticketId>/<fileId>`, under `workspaces/<slug>/` outside `default`',
      example: 'tickets/4f1c…/9b2e…',
    }),
    uploadedBy: z.uuid(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Attachment')

export const AttachmentWithUrlSchema = AttachmentSchema.extend({
  downloadUrl: z.url().openapi({ description: 'Signed, short-lived (5 minutes) URL that streams the file' }),
  downloadUrlExpiresAt: z.iso.datetime(),
}).openapi('AttachmentWithDownloadUrl')

/** No control characters, and something other than whitespace; checked before trimming. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is this pattern's purpose
const FILENAME = /^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$/
const Filename = z
  .string()
  .max(255)
  .regex(FILENAME, 'must have no control characters and not be blank')
  .trim()
  .openapi({ example: 'screenshot.png' })
const ContentType = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'must be a media type such as image/png')
  .openapi({ example: 'image/png' })
const Size = z.number().int().min(1).openapi({ description: 'Bytes; at most the configured limit (25 MiB by default)' })

export const PresignSchema = z
  .strictObject({ ticketId: z.uuid(), filename: Filename, contentType: ContentType, size: Size })
  .openapi('PresignedUrlRequest')

export const PresignResponseSchema = z
  .object({
    uploadUrl: z.url().openapi({ description: 'PUT the bytes here, once, with exactly these headers' }),
    fileKey: z.string(),
    expiresAt: z.iso.datetime(),
    method: z.literal('PUT'),
    headers: z.object({ 'Content-Type': z.string(), 'Content-Length': z.string() }),
  })
  .openapi('PresignedUrl')

export const CreateAttachmentSchema = z
  .strictObject({
    ticketId: z.uuid(),
    fileKey: z.string().max(200),
    filename: Filename,
    contentType: ContentType,
    size: Size,
  })
  .openapi('CreateAttachment')

export const AttachmentIdParamSchema = z.object({
  attachmentId: z.uuid().openapi({ param: { name: 'attachmentId', in: 'path' }, description: 'The attachment’s id' }),
})

export const TicketIdParamSchema = z.object({
  ticketId: z.uuid().openapi({ param: { name: 'ticketId', in: 'path' }, description: 'The ticket’s id' }),
})

export const FileParamsSchema = z.object({
  ticketId: z.uuid().openapi({ param: { name: 'ticketId', in: 'path' }, description: 'The ticket’s id' }),
  fileId: z.uuid().openapi({ param: { name: 'fileId', in: 'path' }, description: 'The random part of the file key' }),
})

/** A signed URL names its workspace (omitted: `default`); both are covered by the signature. */
const SignedWorkspace = {
  ws: WorkspaceSlugSchema.optional().openapi({ description: 'The workspace the file belongs to; omitted: `default`' }),
  jur: z.enum(JURISDICTIONS).optional().openapi({ description: 'The workspace’s jurisdiction, when it has one' }),
}

const Signature = z.string().min(1).max(200).openapi({ description: 'HMAC-SHA256 signature over the other parameters' })
const Expires = queryInteger({ min: 0 }).openapi({ description: 'Expiry of the URL, in seconds since the epoch' })

export const UploadQuerySchema = z.object({
  size: queryInteger({ min: 1 }).openapi({ description: 'The signed size in bytes (must equal `Content-Length`)' }),
  type: z.string().min(1).max(200).openapi({ description: 'The signed content type (must equal `Content-Type`)' }),
  expires: Expires,
  ...SignedWorkspace,
  sig: Signature,
})

export const DownloadQuerySchema = z.object({
  name: z.string().min(1).max(255).openapi({ description: 'The file name for `Content-Disposition`' }),
  type: z.string().min(1).max(200).openapi({ description: 'The stored content type' }),
  expires: Expires,
  ...SignedWorkspace,
  sig: Signature,
})

/** Attachment schemas: the record, upload requests and the signed-URL query parameters. */
import { z } from '@hono/zod-openapi'

export const AttachmentSchema = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int().openapi({ description: 'Bytes' }),
    fileKey: z.string().openapi({ example: 'tickets/4f1c…/9b2e…' }),
    uploadedBy: z.uuid(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Attachment')

export const AttachmentWithUrlSchema = AttachmentSchema.extend({
  downloadUrl: z.url().openapi({ description: 'Signed, short-lived (5 minutes) URL that streams the file' }),
  downloadUrlExpiresAt: z.iso.datetime(),
}).openapi('AttachmentWithDownloadUrl')

const Filename = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((name) => ![...name].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f), {
    message: 'must not contain control characters',
  })
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
  attachmentId: z.uuid().openapi({ param: { name: 'attachmentId', in: 'path' } }),
})

export const TicketIdParamSchema = z.object({
  ticketId: z.uuid().openapi({ param: { name: 'ticketId', in: 'path' } }),
})

export const FileParamsSchema = z.object({
  ticketId: z.uuid().openapi({ param: { name: 'ticketId', in: 'path' } }),
  fileId: z.uuid().openapi({ param: { name: 'fileId', in: 'path' } }),
})

const Signature = z.string().min(1).max(200)
const Expires = z.coerce.number().int().min(0)

export const UploadQuerySchema = z.object({
  size: z.coerce.number().int().min(1),
  type: z.string().min(1).max(200),
  expires: Expires,
  sig: Signature,
})

export const DownloadQuerySchema = z.object({
  name: z.string().min(1).max(255),
  type: z.string().min(1).max(200),
  expires: Expires,
  sig: Signature,
})

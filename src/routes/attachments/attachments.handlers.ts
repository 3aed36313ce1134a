/**
 * Attachment handlers. The store decides visibility and keeps the records; these handlers sign
 * URLs, check uploads against their signature, and stream bytes between the client and R2.
 */
import { contentDisposition } from '../../attachments/content-disposition'
import { presignR2Put } from '../../attachments/r2-presign'
import type { Verdict } from '../../attachments/signed-urls'
import {
  DOWNLOAD_URL_TTL_SECONDS,
  downloadUrl,
  fileKeyBelongsTo,
  fileKeyOf,
  newFileKey,
  UPLOAD_URL_TTL_SECONDS,
  uploadUrl,
  urlSigningKey,
  verifyDownload,
  verifyUpload,
} from '../../attachments/urls'
import { useWorkspace } from '../../auth/workspace-context'
import { DEFAULT_WORKSPACE, type WorkspaceRef } from '../../domain/workspaces'
import type { AppRouteHandler } from '../../lib/app-env'
import { bucketFor } from '../../lib/buckets'
import { ApiError, unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type * as routes from './attachments.routes'

const origin = (url: string) => new URL(url).origin
const seconds = (ms: number) => Math.floor(ms / 1000)

function refuseUpload(verdict: Exclude<Verdict, 'valid'>): never {
  throw new ApiError(verdict === 'expired' ? 'E_UPLOAD_URL_EXPIRED' : 'E_UPLOAD_URL_INVALID')
}

function refuseDownload(verdict: Exclude<Verdict, 'valid'>): never {
  throw new ApiError(verdict === 'expired' ? 'E_DOWNLOAD_URL_EXPIRED' : 'E_DOWNLOAD_URL_INVALID')
}

/** The workspace a signed URL names (its signature covers it): `ws` and `jur`, or `default`. */
const signedWorkspace = (query: { ws?: string | undefined; jur?: WorkspaceRef['jurisdiction'] | undefined }) => ({
  slug: query.ws ?? DEFAULT_WORKSPACE,
  jurisdiction: query.jur ?? null,
})

const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

export const presign: AppRouteHandler<typeof routes.presign> = async (c) => {
  const { ticketId, contentType, size } = c.req.valid('json')
  const { maxBytes, contentTypes, s3 } = c.get('config').attachments
  const issues = []
  if (size > maxBytes)
    issues.push({ path: 'size', message: `Files are limited to ${maxBytes} bytes`, location: 'body' })
  if (!contentTypes.includes(contentType)) {
    issues.push({ path: 'contentType', message: `${contentType} is not an allowed file type`, location: 'body' })
  }
  if (issues.length > 0) {
    throw new ApiError('E_VALIDATION_ERROR', { details: { issues, maxBytes, allowedContentTypes: contentTypes } })
  }
  await unwrap(c.get('store').canAttach(c.get('auth').actor, ticketId))
  const workspace = c.get('workspace')
  const fileKey = newFileKey(workspace.slug, ticketId)
  const expires = seconds(Date.now()) + UPLOAD_URL_TTL_SECONDS
  const grant = { workspace, fileKey, size, contentType, expires }
  // R2's S3 API is configured for the one bucket without a jurisdiction.
  const url =
    s3 && !workspace.jurisdiction
      ? await presignR2Put(s3, fileKey, { contentType, size, expiresIn: UPLOAD_URL_TTL_SECONDS })
      : await uploadUrl(origin(c.req.url), await urlSigningKey(c.get('config')), grant)
  return c.json(
    {
      uploadUrl: url,
      fileKey,
      expiresAt: new Date(expires * 1000).toISOString(),
      method: 'PUT' as const,
      headers: { 'Content-Type': contentType, 'Content-Length': String(size) },
    },
    200,
  )
}

export const upload: AppRouteHandler<typeof routes.upload> = async (c) => {
  const { ticketId, fileId } = c.req.valid('param')
  const query = c.req.valid('query')
  const { size, type, expires, sig } = query
  const workspace = signedWorkspace(query)
  const fileKey = fileKeyOf(workspace.slug, ticketId, fileId)
  const grant = { workspace, fileKey, size, contentType: type, expires }
  const verdict = await verifyUpload(await urlSigningKey(c.get('config')), grant, sig)
  if (verdict !== 'valid') refuseUpload(verdict)

  const declared = c.req.header('Content-Length')
  if (declared === undefined) throw new ApiError('E_LENGTH_REQUIRED')
  const received = { size: Number(declared), contentType: mediaType(c.req.header('Content-Type')) }
  if (received.size !== size || received.contentType !== type) {
    throw new ApiError('E_UPLOAD_MISMATCH', { details: { expected: { size, contentType: type }, received } })
  }
  const body = c.req.raw.body
  if (!body) throw new ApiError('E_UPLOAD_MISMATCH', { details: { expected: { size }, received: { size: 0 } } })
  // One PUT per URL: the store serialises the claim, so two racing uploads cannot both proceed.
  const claimed = await unwrap(useWorkspace(c, workspace).claimUpload(grant.fileKey))
  if (!claimed) throw new ApiError('E_UPLOAD_ALREADY_USED')

  // Streams straight into R2 (the known Content-Length lets the runtime stream without buffering).
  const bucket = bucketFor(c.env, workspace.jurisdiction)
  const stored = await bucket.put(grant.fileKey, body, { httpMetadata: { contentType: type } }).catch(() => null)
  if (!stored || stored.size !== size) {
    if (stored) await bucket.delete(grant.fileKey)
    throw new ApiError('E_UPLOAD_MISMATCH', { message: 'The body ended before Content-Length bytes arrived' })
  }
  return c.json({ fileKey: grant.fileKey, size: stored.size }, 200)
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const input = c.req.valid('json')
  const workspace = c.get('workspace')
  const object = fileKeyBelongsTo(input.fileKey, workspace.slug, input.ticketId)
    ? await bucketFor(c.env, workspace.jurisdiction).head(input.fileKey)
    : null
  if (!object || object.size !== input.size || object.httpMetadata?.contentType !== input.contentType) {
    throw new ApiError('E_ATTACHMENT_NOT_UPLOADED', { details: { fileKey: input.fileKey } })
  }
  const attachment = await unwrap(c.get('store').createAttachment(c.get('auth').actor, input))
  c.header('Location', `/api/v1/attachments/${attachment.id}`)
  return c.json(attachment, 201)
}

export const listForTicket: AppRouteHandler<typeof routes.listForTicket> = async (c) => {
  const { ticketId } = c.req.valid('param')
  const page = pageArgs(c.req.valid('query'))
  return pageResponse(c, await unwrap(c.get('store').listAttachments(c.get('auth').actor, ticketId, page)))
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { attachmentId } = c.req.valid('param')
  const attachment = await unwrap(c.get('store').getAttachment(c.get('auth').actor, attachmentId))
  const expires = seconds(Date.now()) + DOWNLOAD_URL_TTL_SECONDS
  const url = await downloadUrl(origin(c.req.url), await urlSigningKey(c.get('config')), {
    workspace: c.get('workspace'),
    fileKey: attachment.fileKey,
    filename: attachment.filename,
    contentType: attachment.contentType,
    expires,
  })
  return c.json({ ...attachment, downloadUrl: url, downloadUrlExpiresAt: new Date(expires * 1000).toISOString() }, 200)
}

export const download: AppRouteHandler<typeof routes.download> = async (c) => {
  const { ticketId, fileId } = c.req.valid('param')
  const query = c.req.valid('query')
  const { name, type, expires, sig } = query
  const workspace = signedWorkspace(query)
  const fileKey = fileKeyOf(workspace.slug, ticketId, fileId)
  const grant = { workspace, fileKey, filename: name, contentType: type, expires }
  const verdict = await verifyDownload(await urlSigningKey(c.get('config')), grant, sig)
  if (verdict !== 'valid') refuseDownload(verdict)
  // The record, not the object, says whether the file exists: from the moment an attachment (or
  // its workspace) is deleted its URLs answer 404, even while the alarm has yet to remove the bytes.
  const attached = await useWorkspace(c, workspace).isAttached(fileKey)
  if (!attached.ok || !attached.value) throw new ApiError('E_ATTACHMENT_NOT_FOUND')
  const object = await bucketFor(c.env, workspace.jurisdiction).get(fileKey)
  if (!object) throw new ApiError('E_ATTACHMENT_NOT_FOUND')
  return new Response(object.body, {
    headers: {
      'Content-Type': object.httpMetadata?.contentType ?? type,
      'Content-Length': String(object.size),
      'Content-Disposition': contentDisposition(name),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=0, no-store',
      ETag: object.httpEtag,
      'X-Request-Id': c.get('requestId'),
    },
  })
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { attachmentId } = c.req.valid('param')
  await unwrap(c.get('store').deleteAttachment(c.get('auth').actor, attachmentId))
  return c.body(null, 204)
}

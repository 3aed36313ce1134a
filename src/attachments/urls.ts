/**
 * The upload and download URLs this API signs for itself, so files move to and from R2 through
 * the Worker with no cloud credentials (and under `wrangler dev`). An upload URL binds the file
 * key, size, content type and expiry; a download URL binds the key, name, type and expiry. Both
 * name their workspace (`ws`, `jur`): the key carries the slug, and the jurisdiction is signed.
 */
import type { Config } from '../config'
import { DEFAULT_WORKSPACE, filePrefix, type WorkspaceRef } from '../domain/workspaces'
import { ApiError } from '../lib/errors'
import { importSigningKey, sign, type Verdict, verify } from './signed-urls'

export const UPLOAD_URL_TTL_SECONDS = 15 * 60
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60
export const UPLOAD_PATH = '/api/v1/attachments/upload'
export const DOWNLOAD_PATH = '/api/v1/attachments/download'

const cache = new WeakMap<Config, Promise<CryptoKey>>()

/** The configured key; in development, one generated for this isolate; in production, a 503. */
export function urlSigningKey(config: Config): Promise<CryptoKey> {
  let key = cache.get(config)
  if (!key) {
    const secret = config.attachments.signingKey
    if (!secret && config.environment !== 'development') {
      throw new ApiError('E_SERVICE_MISCONFIGURED', {
        message: 'File URLs cannot be signed: set the URL_SIGNING_KEY secret',
        details: { variables: ['URL_SIGNING_KEY'] },
      })
    }
    const bytes = secret ? new TextEncoder().encode(secret) : crypto.getRandomValues(new Uint8Array(32))
    key = importSigningKey(bytes)
    cache.set(config, key)
  }
  return key
}

/**
 * Object keys are scoped to their workspace and ticket, and unguessable:
 * `[workspaces/<slug>/]tickets/<ticketId>/<uuid>` (`default` keeps the unprefixed layout).
 */
export const newFileKey = (workspace: string, ticketId: string) =>
  `${filePrefix(workspace)}tickets/${ticketId}/${crypto.randomUUID()}`

/** The key of `…/<ticketId>/<fileId>` in a workspace. */
export const fileKeyOf = (workspace: string, ticketId: string, fileId: string) =>
  `${filePrefix(workspace)}tickets/${ticketId}/${fileId}`

/** `…tickets/<ticketId>/<fileId>` is served at `…/<ticketId>/<fileId>`. */
const pathOf = (fileKey: string) => fileKey.replace(/^(workspaces\/[a-z0-9-]+\/)?tickets\//, '')

export const fileKeyBelongsTo = (fileKey: string, workspace: string, ticketId: string) =>
  fileKey.startsWith(`${filePrefix(workspace)}tickets/${ticketId}/`) &&
  /^[0-9a-f-]{36}$/.test(fileKey.slice(`${filePrefix(workspace)}tickets/${ticketId}/`.length))

/** The query parameters that name a workspace: none for `default`. */
const workspaceQuery = (workspace: WorkspaceRef): Record<string, string> => ({
  ...(workspace.slug === DEFAULT_WORKSPACE ? {} : { ws: workspace.slug }),
  ...(workspace.jurisdiction ? { jur: workspace.jurisdiction } : {}),
})

export interface UploadGrant {
  workspace: WorkspaceRef
  fileKey: string
  size: number
  contentType: string
  expires: number
}

const uploadFields = (grant: UploadGrant) => [
  'PUT',
  grant.fileKey,
  String(grant.size),
  grant.contentType,
  String(grant.expires),
  grant.workspace.jurisdiction ?? '',
]

/** A URL under `path` for the file, with `query` and a signature over `fields`. */
async function signedUrl(
  origin: string,
  path: string,
  fileKey: string,
  query: Record<string, string>,
  key: CryptoKey,
  fields: string[],
) {
  const url = new URL(`${path}/${pathOf(fileKey)}`, origin)
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
  url.searchParams.set('sig', await sign(key, fields))
  return url.toString()
}

export const uploadUrl = (origin: string, key: CryptoKey, grant: UploadGrant) =>
  signedUrl(
    origin,
    UPLOAD_PATH,
    grant.fileKey,
    {
      size: String(grant.size),
      type: grant.contentType,
      expires: String(grant.expires),
      ...workspaceQuery(grant.workspace),
    },
    key,
    uploadFields(grant),
  )

export function verifyUpload(key: CryptoKey, grant: UploadGrant, signature: string): Promise<Verdict> {
  return verify(key, uploadFields(grant), signature, grant.expires * 1000)
}

export interface DownloadGrant {
  workspace: WorkspaceRef
  fileKey: string
  filename: string
  contentType: string
  expires: number
}

const downloadFields = (grant: DownloadGrant) => [
  'GET',
  grant.fileKey,
  grant.filename,
  grant.contentType,
  String(grant.expires),
  grant.workspace.jurisdiction ?? '',
]

export const downloadUrl = (origin: string, key: CryptoKey, grant: DownloadGrant) =>
  signedUrl(
    origin,
    DOWNLOAD_PATH,
    grant.fileKey,
    {
      name: grant.filename,
      type: grant.contentType,
      expires: String(grant.expires),
      ...workspaceQuery(grant.workspace),
    },
    key,
    downloadFields(grant),
  )

export function verifyDownload(key: CryptoKey, grant: DownloadGrant, signature: string): Promise<Verdict> {
  return verify(key, downloadFields(grant), signature, grant.expires * 1000)
}

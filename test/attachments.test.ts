/**
 * Attachments: a presigned upload URL (type and size checked, 25 MiB at most), the upload itself
 * (signature, size, type and length enforced; each URL used once), the record that must match the
 * uploaded object, the signed download that returns the same bytes with safe headers, and deletion,
 * after which the object goes too (through the Workspace's deletion outbox, so the tests wait for it
 * with `expect.poll`). Whoever cannot see the ticket gets a 404 on every attachment route.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { importSigningKey } from '../src/attachments/signed-urls'
import { uploadUrl } from '../src/attachments/urls'
import { DEFAULT_REF } from '../src/domain/workspaces'
import {
  type Attachment,
  type AttachmentWithDownloadUrl,
  asAdmin,
  call,
  createTicket,
  expectError,
  expectStatus,
  type HistoryEntry,
  type PresignedUrl as Presigned,
  type Session,
  updateTicket,
  userWithRole,
} from './helpers'

const URL_KEY = 'test-only-url-signing-key-0123456789'
const LIMIT = 25 * 1024 * 1024
/** How long to wait for the deletion outbox to remove an object. */
const OUTBOX_WAIT = { timeout: 10_000, interval: 50 }

let reporter: Session
let stranger: Session
let manager: Session
let ticketId: string

beforeAll(async () => {
  await asAdmin()
  reporter = await userWithRole('user')
  stranger = await userWithRole('user')
  manager = await userWithRole('manager')
  ticketId = (await createTicket(reporter, { title: 'With files' })).id
})

const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 13) % 251)

async function presign(session: Session, body: Record<string, unknown>) {
  return call('POST', '/api/v1/attachments/presigned-url', {
    token: session.accessToken,
    body: { ticketId, filename: 'notes.txt', contentType: 'text/plain', size: 5, ...body },
  })
}

/** An upload URL for `session` (200); the body's fields default to a 5-byte notes.txt on the ticket. */
async function grantFor(session: Session, body: Record<string, unknown> = {}) {
  return expectStatus<Presigned>(await presign(session, body), 200)
}

function put(url: string, body: BodyInit, headers: Record<string, string>) {
  return exports.default.fetch(new Request(url, { method: 'PUT', body, headers }))
}

/** PUTs the bytes to a granted URL, which must accept them (200). */
async function upload(grant: Presigned, data: Uint8Array) {
  await expectStatus(await put(grant.uploadUrl, data, grant.headers), 200)
}

async function uploadFile(session: Session, data: Uint8Array, filename = 'notes.txt', contentType = 'text/plain') {
  const grant = await grantFor(session, { filename, contentType, size: data.byteLength })
  await upload(grant, data)
  return grant
}

async function record(session: Session, grant: Presigned, body: Record<string, unknown>) {
  return call('POST', '/api/v1/attachments', {
    token: session.accessToken,
    body: { ticketId, fileKey: grant.fileKey, filename: 'notes.txt', contentType: 'text/plain', size: 5, ...body },
  })
}

/** A recorded attachment: `record`, which must succeed (201). */
async function recorded(session: Session, grant: Presigned, body: Record<string, unknown> = {}) {
  return expectStatus<Attachment>(await record(session, grant, body), 201)
}

async function historyActions(session: Session, id: string) {
  const res = await call('GET', `/api/v1/tickets/${id}/history`, { token: session.accessToken })
  return (await expectStatus<HistoryEntry[]>(res, 200)).map((entry) => entry.action)
}

describe('the whole attachment flow', () => {
  it('uploads, records, downloads the same bytes, lists and deletes (object gone)', async () => {
    const data = bytes(4096)
    const grant = await uploadFile(reporter, data, 'Übersicht "final".txt')
    expect(grant).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'text/plain', 'Content-Length': '4096' } })
    expect(grant.fileKey).toMatch(new RegExp(`^tickets/${ticketId}/[0-9a-f-]{36}$`))
    expect(Date.parse(grant.expiresAt) - Date.now()).toBeGreaterThan(14 * 60 * 1000)

    const created = await record(reporter, grant, { filename: 'Übersicht "final".txt', size: 4096 })
    const attachment = await expectStatus<Attachment>(created, 201)
    expect(attachment).toMatchObject({ ticketId, size: 4096, contentType: 'text/plain', uploadedBy: reporter.user.id })
    expect(created.headers.get('Location')).toBe(`/api/v1/attachments/${attachment.id}`)

    const got = await expectStatus<AttachmentWithDownloadUrl>(
      await call('GET', `/api/v1/attachments/${attachment.id}`, { token: reporter.accessToken }),
      200,
    )
    expect(got).toMatchObject(attachment)
    const download = await exports.default.fetch(got.downloadUrl)
    expect(download.status).toBe(200)
    expect(download.headers.get('Content-Type')).toBe('text/plain')
    expect(download.headers.get('Content-Length')).toBe('4096')
    expect(download.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(download.headers.get('Content-Disposition')).toBe(
      `attachment; filename="_bersicht _final_.txt"; filename*=UTF-8''%C3%9Cbersicht%20%22final%22.txt`,
    )
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(data)

    const list = await call('GET', `/api/v1/attachments/ticket/${ticketId}`, { token: reporter.accessToken })
    expect((await expectStatus<Attachment[]>(list, 200)).map((a) => a.id)).toContain(attachment.id)

    expect(await historyActions(reporter, ticketId)).toContain('attachment_added')

    await expectStatus(
      await call('DELETE', `/api/v1/attachments/${attachment.id}`, { token: reporter.accessToken }),
      204,
    )
    await expectError(
      await call('GET', `/api/v1/attachments/${attachment.id}`, { token: reporter.accessToken }),
      404,
      'E_ATTACHMENT_NOT_FOUND',
    )
    await expect.poll(() => env.ATTACHMENTS.head(grant.fileKey), OUTBOX_WAIT).toBeNull()
    expect((await historyActions(reporter, ticketId)).at(-1)).toBe('attachment_removed')
    expect((await exports.default.fetch(got.downloadUrl)).status).toBe(404)
  })

  it('accepts a file at the size limit and refuses one byte over', async () => {
    const over = await presign(reporter, { contentType: 'application/zip', size: LIMIT + 1 })
    const body = await expectError(over, 422, 'E_VALIDATION_ERROR')
    expect((body.details as { issues: { path: string }[] }).issues[0]?.path).toBe('size')
    const data = bytes(LIMIT, 3)
    const grant = await uploadFile(reporter, data, 'big.zip', 'application/zip')
    await recorded(reporter, grant, { filename: 'big.zip', contentType: 'application/zip', size: LIMIT })
    expect((await env.ATTACHMENTS.head(grant.fileKey))?.size).toBe(LIMIT)
  })
})

describe('upload URL checks', () => {
  it('refuses types that are not allowed', async () => {
    const res = await presign(reporter, { filename: 'x.exe', contentType: 'application/x-msdownload' })
    await expectError(res, 422, 'E_VALIDATION_ERROR')
  })

  it('refuses a wrong size or type at upload, and a missing Content-Length', async () => {
    const grant = await grantFor(reporter)
    await expectError(await put(grant.uploadUrl, bytes(6), { 'Content-Type': 'text/plain' }), 400, 'E_UPLOAD_MISMATCH')
    await expectError(await put(grant.uploadUrl, bytes(5), { 'Content-Type': 'image/png' }), 400, 'E_UPLOAD_MISMATCH')
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes(5))
        controller.close()
      },
    })
    // workerd needs `duplex` for a streamed request body, which has no declared length.
    const init = { method: 'PUT', body: stream, headers: { 'Content-Type': 'text/plain' }, duplex: 'half' }
    const chunked = await exports.default.fetch(new Request(grant.uploadUrl, init as RequestInit))
    await expectError(chunked, 411, 'E_LENGTH_REQUIRED')
    // None of the refused attempts used the URL up.
    await upload(grant, bytes(5))
  })

  it('refuses tampered signatures and parameters (403) and a replayed upload (409)', async () => {
    const grant = await grantFor(reporter)
    const tampered = new URL(grant.uploadUrl)
    tampered.searchParams.set('sig', `${tampered.searchParams.get('sig')?.slice(0, -2)}xx`)
    await expectError(await put(tampered.toString(), bytes(5), grant.headers), 403, 'E_UPLOAD_URL_INVALID')
    const bigger = new URL(grant.uploadUrl)
    bigger.searchParams.set('size', '6')
    await expectError(
      await put(bigger.toString(), bytes(6), { ...grant.headers, 'Content-Length': '6' }),
      403,
      'E_UPLOAD_URL_INVALID',
    )
    const elsewhere = grant.uploadUrl.replace(ticketId, crypto.randomUUID())
    await expectError(await put(elsewhere, bytes(5), grant.headers), 403, 'E_UPLOAD_URL_INVALID')

    await upload(grant, bytes(5))
    await expectError(await put(grant.uploadUrl, bytes(5), grant.headers), 409, 'E_UPLOAD_ALREADY_USED')
  })

  it('refuses an expired URL (403 E_UPLOAD_URL_EXPIRED)', async () => {
    const key = await importSigningKey(new TextEncoder().encode(URL_KEY))
    const fileKey = `tickets/${ticketId}/${crypto.randomUUID()}`
    const expired = await uploadUrl('https://api.test', key, {
      workspace: DEFAULT_REF,
      fileKey,
      size: 5,
      contentType: 'text/plain',
      expires: Math.floor(Date.now() / 1000) - 1,
    })
    await expectError(await put(expired, bytes(5), { 'Content-Type': 'text/plain' }), 403, 'E_UPLOAD_URL_EXPIRED')
  })

  it('refuses to record a file that was never uploaded, or with another size, or from another ticket', async () => {
    const grant = await grantFor(reporter)
    await expectError(await record(reporter, grant, {}), 400, 'E_ATTACHMENT_NOT_UPLOADED')
    await upload(grant, bytes(5))
    await expectError(await record(reporter, grant, { size: 4 }), 400, 'E_ATTACHMENT_NOT_UPLOADED')
    await expectError(await record(reporter, grant, { contentType: 'text/csv' }), 400, 'E_ATTACHMENT_NOT_UPLOADED')
    const other = await createTicket(reporter, { title: 'Other' })
    await expectError(await record(reporter, grant, { ticketId: other.id }), 400, 'E_ATTACHMENT_NOT_UPLOADED')
    await recorded(reporter, grant)
    await expectError(await record(reporter, grant, {}), 409, 'E_ATTACHMENT_EXISTS')
  })
})

describe('visibility and permissions', () => {
  it('answers 404 to anyone who cannot see the ticket, on every route', async () => {
    await expectError(await presign(stranger, {}), 404, 'E_TICKET_NOT_FOUND')
    const grant = await uploadFile(reporter, bytes(5))
    const attachment = await recorded(reporter, grant)
    await expectError(await record(stranger, grant, {}), 404, 'E_TICKET_NOT_FOUND')
    await expectError(
      await call('GET', `/api/v1/attachments/${attachment.id}`, { token: stranger.accessToken }),
      404,
      'E_ATTACHMENT_NOT_FOUND',
    )
    await expectError(
      await call('GET', `/api/v1/attachments/ticket/${ticketId}`, { token: stranger.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    await expectError(
      await call('DELETE', `/api/v1/attachments/${attachment.id}`, { token: stranger.accessToken }),
      404,
      'E_ATTACHMENT_NOT_FOUND',
    )
  })

  it('lets only the uploader, managers and admins delete', async () => {
    const assignee = await userWithRole('user')
    await updateTicket(manager, ticketId, { assigneeIds: [assignee.user.id] })
    const attachment = await recorded(reporter, await uploadFile(reporter, bytes(5)))
    // The assignee sees the attachment, but may not delete it.
    await expectStatus(await call('GET', `/api/v1/attachments/${attachment.id}`, { token: assignee.accessToken }), 200)
    await expectError(
      await call('DELETE', `/api/v1/attachments/${attachment.id}`, { token: assignee.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    await expectStatus(
      await call('DELETE', `/api/v1/attachments/${attachment.id}`, { token: manager.accessToken }),
      204,
    )
  })

  it('deletes the objects of a deleted ticket’s attachments', async () => {
    const own = await createTicket(reporter, { title: 'Doomed' })
    const grant = await grantFor(reporter, { ticketId: own.id })
    await upload(grant, bytes(5))
    await recorded(reporter, grant, { ticketId: own.id })
    expect(await env.ATTACHMENTS.head(grant.fileKey)).not.toBeNull()
    await expectStatus(await call('DELETE', `/api/v1/tickets/${own.id}`, { token: manager.accessToken }), 204)
    await expect.poll(() => env.ATTACHMENTS.head(grant.fileKey), OUTBOX_WAIT).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { baseUrl, checkedFetch, expectError, json, login, request } from './client'

describe('attachments over real HTTP against wrangler dev (local R2)', () => {
  it('uploads real bytes, records them, downloads the same bytes, lists, deletes and the object is gone', async () => {
    const admin = await login('admin@company.com', 'password')
    const ticket = await json<{ id: string }>(
      await request('POST', '/api/v1/tickets', {
        token: admin.accessToken,
        body: { title: 'Has a file', description: '' },
      }),
      201,
    )
    const data = new Uint8Array(300_000).map((_, i) => (i * 31) % 256)
    const grant = await json<{ uploadUrl: string; fileKey: string; headers: Record<string, string> }>(
      await request('POST', '/api/v1/attachments/presigned-url', {
        token: admin.accessToken,
        body: { ticketId: ticket.id, filename: 'capture.png', contentType: 'image/png', size: data.byteLength },
      }),
      200,
    )
    expect(grant.uploadUrl.startsWith(baseUrl())).toBe(true)
    const uploaded = await checkedFetch(grant.uploadUrl, { method: 'PUT', body: data, headers: grant.headers })
    expect(uploaded.status, await uploaded.clone().text()).toBe(200)
    await expectError(
      await checkedFetch(grant.uploadUrl, { method: 'PUT', body: data, headers: grant.headers }),
      409,
      'E_UPLOAD_ALREADY_USED',
    )

    const attachment = await json<{ id: string }>(
      await request('POST', '/api/v1/attachments', {
        token: admin.accessToken,
        body: {
          ticketId: ticket.id,
          fileKey: grant.fileKey,
          filename: 'capture.png',
          contentType: 'image/png',
          size: data.byteLength,
        },
      }),
      201,
    )
    const { downloadUrl } = await json<{ downloadUrl: string }>(
      await request('GET', `/api/v1/attachments/${attachment.id}`, { token: admin.accessToken }),
      200,
    )
    const download = await checkedFetch(downloadUrl)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('image/png')
    expect(download.headers.get('x-content-type-options')).toBe('nosniff')
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(data)

    const listed = await json<{ id: string }[]>(
      await request('GET', `/api/v1/attachments/ticket/${ticket.id}`, { token: admin.accessToken }),
      200,
    )
    expect(listed.map((a) => a.id)).toEqual([attachment.id])

    expect((await request('DELETE', `/api/v1/attachments/${attachment.id}`, { token: admin.accessToken })).status).toBe(
      204,
    )
    // The object goes through the Workspace's deletion outbox, shortly after the record.
    const downloadStatus = async () => {
      const res = await checkedFetch(downloadUrl)
      await res.body?.cancel()
      return res.status
    }
    await expect.poll(downloadStatus, { timeout: 10_000, interval: 100 }).toBe(404)
  })
})

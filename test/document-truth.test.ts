/**
 * The OpenAPI document and the server agree: what the document calls valid the server accepts, and
 * where the server is stricter the document says so (patterns, enums, `minProperties`). Plus the
 * contract's answers that a generated client relies on: 405 with `Allow` for a fixed path called
 * with the wrong method, 401 before 426 on the events route, 415 for any media type but
 * `application/json`, decimal-only integers in query strings, 403 before validation on role-gated
 * routes, download codes on signed download URLs, and no lone surrogates stored.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { importSigningKey } from '../src/attachments/signed-urls'
import { downloadUrl } from '../src/attachments/urls'
import { DEFAULT_REF } from '../src/domain/workspaces'
import { asAdmin, call, expectError, type Session, uniqueEmail, userWithRole } from './helpers'

type Schema = {
  pattern?: string
  enum?: string[]
  maximum?: number
  minProperties?: number
  properties?: Record<string, Schema>
}
type Document = { components: { schemas: Record<string, Schema> }; paths: Record<string, Record<string, unknown>> }

let admin: Session
let manager: Session
let plain: Session
let doc: Document

beforeAll(async () => {
  admin = await asAdmin()
  manager = await userWithRole('manager')
  plain = await userWithRole('user')
  doc = await (await call('GET', '/openapi.json')).json<Document>()
})

const schema = (name: string) => {
  const found = doc.components.schemas[name]
  if (!found) throw new Error(`no schema ${name}`)
  return found
}

describe('patterns the document publishes are the ones the server applies', () => {
  it('emails: the server takes exactly what the published pattern takes', async () => {
    const pattern = new RegExp(schema('Register').properties?.email?.pattern ?? '(missing)')
    const candidates = [
      'ada@example.com',
      'a.b+c@mail.example.org',
      "o'brien@example.ie",
      '"a b"@example.com',
      'a..b@example.com',
      '.a@example.com',
      'a@b.c',
      'a@[127.0.0.1]',
      'a@-example.com',
      'ü@example.com',
    ]
    for (const email of candidates) {
      const res = await call('POST', '/api/v1/auth/register', { body: { name: 'E', email, password: 'long enough' } })
      const accepted = res.status === 201 || res.status === 409
      expect(accepted, `${email}: ${res.status}`).toBe(pattern.test(email))
      if (!accepted) await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
  })

  it('text that is blank after trimming is refused, and the document says so with a pattern', async () => {
    expect(schema('Register').properties?.name?.pattern).toBe('\\S')
    expect(schema('CreateTicket').properties?.title?.pattern).toBe('\\S')
    const blank = /\S/
    for (const name of ['\u000b', ' \t\n', '\u00a0\u2028\ufeff']) {
      expect(blank.test(name)).toBe(false)
      const res = await call('POST', '/api/v1/auth/register', {
        body: { name, email: uniqueEmail(), password: 'long enough' },
      })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
  })

  it('attachment filenames: control characters refused as the published pattern says', async () => {
    const pattern = new RegExp(schema('PresignedUrlRequest').properties?.filename?.pattern ?? '(missing)')
    const ticket = await call('POST', '/api/v1/tickets', {
      token: admin.accessToken,
      body: { title: 'F', description: '' },
    })
    const ticketId = (await ticket.json<{ id: string }>()).id
    for (const filename of ['notes.txt', ' spaced name.txt ', 'tab\there.txt', 'bell\u0007.txt', 'del\u007f', '   ']) {
      const res = await call('POST', '/api/v1/attachments/presigned-url', {
        token: admin.accessToken,
        body: { ticketId, filename, contentType: 'text/plain', size: 5 },
      })
      expect(res.status === 200, `${JSON.stringify(filename)}: ${res.status}`).toBe(pattern.test(filename))
    }
  })

  it('the upload request names this deployment’s content types and size limit', () => {
    const request = schema('PresignedUrlRequest').properties
    expect(request?.contentType?.enum).toContain('image/png')
    expect(request?.contentType?.enum).not.toContain('application/x-msdownload')
    expect(request?.size?.maximum).toBe(25 * 1024 * 1024)
  })

  it('partial updates need a field: minProperties 1 in the document, 422 from the server', async () => {
    for (const name of ['UpdateTicket', 'UpdateUser', 'UpdateProject', 'UpdateWorkflowRule']) {
      expect(schema(name).minProperties, name).toBe(1)
    }
    await expectError(
      await call('PUT', `/api/v1/users/${admin.user.id}`, { token: admin.accessToken, body: {} }),
      422,
      'E_VALIDATION_ERROR',
    )
  })
})

describe('answers a generated client relies on', () => {
  it('a fixed path with the wrong method is 405 with Allow, not a parameter of a neighbouring route', async () => {
    for (const [method, path, allow] of [
      ['GET', '/api/v1/attachments/presigned-url', 'POST'],
      ['PUT', '/api/v1/tickets/my', 'GET, HEAD'],
      ['DELETE', '/api/v1/tickets/my/', 'GET, HEAD'],
    ] as const) {
      const res = await call(method, path, { token: admin.accessToken })
      await expectError(res, 405, 'E_METHOD_NOT_ALLOWED')
      expect(res.headers.get('Allow'), `${method} ${path}`).toBe(allow)
    }
  })

  it('GET /api/v1/events: 401 without credentials before any check of Upgrade; 426 with them', async () => {
    const res = await call('GET', '/api/v1/events')
    await expectError(res, 401, 'E_AUTH_TOKEN_INVALID')
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
    await expectError(await call('GET', '/api/v1/events', { token: plain.accessToken }), 426, 'E_UPGRADE_REQUIRED')
  })

  it('takes application/json (with parameters) and refuses every other media type with 415', async () => {
    const body = JSON.stringify({ title: 'Typed', description: '' })
    for (const type of ['application/merge-patch+json', 'application/vnd.api+json', 'text/json', 'text/plain']) {
      const res = await call('POST', '/api/v1/tickets', {
        token: plain.accessToken,
        body,
        headers: { 'Content-Type': type },
      })
      await expectError(res, 415, 'E_UNSUPPORTED_MEDIA_TYPE')
    }
    const ok = await call('POST', '/api/v1/tickets', {
      token: plain.accessToken,
      body,
      headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
    })
    expect(ok.status).toBe(201)
  })

  it('an optional JSON body (logout) may be left out, but one that is sent must be application/json', async () => {
    const session = await userWithRole('user')
    const typed = await call('POST', '/api/v1/auth/logout', {
      token: session.accessToken,
      body: JSON.stringify({ refreshToken: session.refreshToken }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    })
    await expectError(typed, 415, 'E_UNSUPPORTED_MEDIA_TYPE')
    expect((await call('POST', '/api/v1/auth/logout', { token: session.accessToken })).status).toBe(204)
  })

  it('limit: decimal digits only; empty means the default', async () => {
    for (const limit of ['0x10', '1e1', '1.0', ' 5', '+5', '-1', '0', '201']) {
      const res = await call('GET', `/api/v1/projects?limit=${encodeURIComponent(limit)}`, { token: plain.accessToken })
      const body = await expectError(res, 422, 'E_VALIDATION_ERROR')
      expect(body.details, limit).toMatchObject({ issues: [{ path: 'limit', location: 'query' }] })
    }
    for (const limit of ['', '10', '200']) {
      expect((await call('GET', `/api/v1/projects?limit=${limit}`, { token: plain.accessToken })).status).toBe(200)
    }
  })

  it('every validation issue names its location, the cursor’s included', async () => {
    const res = await call('GET', '/api/v1/tickets?cursor=bm90LWEtY3Vyc29y', { token: plain.accessToken })
    const body = await expectError(res, 422, 'E_VALIDATION_ERROR')
    expect(body.details).toEqual({ issues: [{ path: 'cursor', message: 'Invalid cursor', location: 'query' }] })
  })

  it('a lone UTF-16 surrogate in a JSON string is refused with 422, never stored as replacement characters', async () => {
    for (const raw of ['{"title":"bad \\ud800 title","description":""}', '{"title":"ok","description":"\\udfff"}']) {
      const res = await call('POST', '/api/v1/tickets', { token: plain.accessToken, body: raw })
      const body = await expectError(res, 422, 'E_VALIDATION_ERROR')
      expect(body.details).toMatchObject({ issues: [{ location: 'body' }] })
    }
    const pair = await call('POST', '/api/v1/tickets', {
      token: plain.accessToken,
      body: '{"title":"pair \\ud83d\\ude00","description":""}',
    })
    expect((await pair.json<{ title: string }>()).title).toBe('pair 😀')
  })
})

describe('role-gated routes answer 403 before looking at what was sent', () => {
  const invalidRule = { name: '', trigger: 'nope', actions: {} }

  it('workflows, users and project writes refuse callers without the role, whatever the body or ids', async () => {
    const cases: [Session, string, string, unknown][] = [
      [manager, 'POST', '/api/v1/workflows', invalidRule],
      [manager, 'POST', '/api/v1/workflows', 'not json'],
      [manager, 'PUT', `/api/v1/workflows/${crypto.randomUUID()}`, { active: false }],
      [manager, 'PUT', '/api/v1/workflows/not-a-uuid', {}],
      [manager, 'GET', '/api/v1/workflows?limit=0x10', undefined],
      [manager, 'DELETE', '/api/v1/workflows/not-a-uuid', undefined],
      [manager, 'POST', '/api/v1/users', { email: 'not an email' }],
      [manager, 'GET', '/api/v1/users?role=emperor', undefined],
      [manager, 'DELETE', '/api/v1/users/not-a-uuid', undefined],
      [plain, 'POST', '/api/v1/projects', { key: 'lowercase' }],
      [plain, 'PUT', '/api/v1/projects/not-a-uuid', {}],
      [plain, 'GET', '/api/v1/reports/user-activity?days=9999', undefined],
    ]
    for (const [session, method, path, body] of cases) {
      const res = await call(method, path, { token: session.accessToken, body })
      await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    }
  })

  it('uses the current role, not the token’s: a demoted admin is refused at once', async () => {
    const other = await userWithRole('admin')
    const demote = await call('PUT', `/api/v1/users/${other.user.id}`, {
      token: admin.accessToken,
      body: { role: 'manager' },
    })
    expect(demote.status).toBe(200)
    await expectError(
      await call('POST', '/api/v1/workflows', { token: other.accessToken, body: invalidRule }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
  })
})

describe('signed download URLs', () => {
  const key = importSigningKey(new TextEncoder().encode('test-only-url-signing-key-0123456789'))
  const download = (url: string) => exports.default.fetch(new Request(url))

  it('answer failures with download codes, not upload ones', async () => {
    const grant = {
      workspace: DEFAULT_REF,
      fileKey: `tickets/${crypto.randomUUID()}/${crypto.randomUUID()}`,
      filename: 'a.txt',
      contentType: 'text/plain',
    }
    const expired = await downloadUrl('https://api.test', await key, {
      ...grant,
      expires: Math.floor(Date.now() / 1000) - 5,
    })
    await expectError(await download(expired), 403, 'E_DOWNLOAD_URL_EXPIRED')
    const valid = await downloadUrl('https://api.test', await key, {
      ...grant,
      expires: Math.floor(Date.now() / 1000) + 60,
    })
    await expectError(await download(valid.replace(/sig=[^&]+/, 'sig=AAAA')), 403, 'E_DOWNLOAD_URL_INVALID')
    // Well signed, but no attachment names the file: 404.
    await expectError(await download(valid), 404, 'E_ATTACHMENT_NOT_FOUND')
  })

  it('answer 404 from the moment their attachment is deleted, while the object still waits for removal', async () => {
    const ticket = await call('POST', '/api/v1/tickets', {
      token: plain.accessToken,
      body: { title: 'D', description: '' },
    })
    const ticketId = (await ticket.json<{ id: string }>()).id
    const file = { ticketId, filename: 'gone.txt', contentType: 'text/plain', size: 5 }
    const presigned = await call('POST', '/api/v1/attachments/presigned-url', { token: plain.accessToken, body: file })
    const grant = await presigned.json<{ uploadUrl: string; fileKey: string; headers: Record<string, string> }>()
    const put = await exports.default.fetch(
      new Request(grant.uploadUrl, { method: 'PUT', body: 'hello', headers: grant.headers }),
    )
    expect(put.status).toBe(200)
    const created = await call('POST', '/api/v1/attachments', {
      token: plain.accessToken,
      body: { ...file, fileKey: grant.fileKey },
    })
    expect(created.status).toBe(201)
    const { id } = await created.json<{ id: string }>()
    const read = await call('GET', `/api/v1/attachments/${id}`, { token: plain.accessToken })
    const { downloadUrl: url } = await read.json<{ downloadUrl: string }>()
    expect(await (await download(url)).text()).toBe('hello')

    expect((await call('DELETE', `/api/v1/attachments/${id}`, { token: plain.accessToken })).status).toBe(204)
    await expectError(await download(url), 404, 'E_ATTACHMENT_NOT_FOUND')
    // The object was still there when the URL answered 404: the record decided, not the object.
    expect(await env.ATTACHMENTS.head(grant.fileKey)).not.toBeNull()
  })
})

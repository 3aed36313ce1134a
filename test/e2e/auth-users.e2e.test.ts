import { describe, expect, it } from 'vitest'
import { expectError, json, login, request, type Session, uniqueEmail } from './client'

const ADMIN = { email: 'admin@company.com', password: 'password' }

describe('auth and users over real HTTP against wrangler dev', () => {
  it('serves health, the OpenAPI document and both docs pages with their assets', async () => {
    expect(await json(await request('GET', '/health'), 200)).toEqual({ status: 'ok' })
    const doc = await json<{ openapi: string; paths: Record<string, unknown> }>(
      await request('GET', '/openapi.json'),
      200,
    )
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toContain('/api/v1/auth/login')
    for (const page of ['/docs', '/redoc']) {
      const res = await request('GET', page)
      expect(res.status).toBe(200)
      const html = await res.text()
      for (const [, asset] of html.matchAll(/(?:src|href)="(\/[^"]+)"/g)) {
        const served = await request('GET', asset ?? '')
        expect(served.status, asset).toBe(200)
        expect((await served.arrayBuffer()).byteLength, asset).toBeGreaterThan(100)
      }
    }
  })

  it('registers, logs in, refreshes with rotation, detects reuse and logs out', async () => {
    const email = uniqueEmail('e2e')
    const created = await request('POST', '/api/v1/auth/register', {
      body: { name: 'End To End', email, password: 'e2e-password' },
    })
    const user = await json<{ id: string }>(created, 201)
    expect(created.headers.get('Location')).toBe(`/api/v1/users/${user.id}`)
    expect(created.headers.get('X-Request-Id')).toBeTruthy()

    const session = await login(email, 'e2e-password')
    expect(await json(await request('GET', '/api/v1/auth/me', { token: session.accessToken }), 200)).toMatchObject({
      email,
    })

    const rotated = await json<Session>(
      await request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      200,
    )
    expect(rotated.refreshToken).not.toBe(session.refreshToken)
    await expectError(
      await request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
    // Reuse revoked the whole session, including the pair that replaced the stolen token.
    await expectError(
      await request('GET', '/api/v1/auth/me', { token: rotated.accessToken }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )

    const fresh = await login(email, 'e2e-password')
    expect((await request('POST', '/api/v1/auth/logout', { token: fresh.accessToken })).status).toBe(204)
    await expectError(
      await request('GET', '/api/v1/auth/me', { token: fresh.accessToken }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
    await expectError(
      await request('POST', '/api/v1/auth/refresh', { body: { refreshToken: fresh.refreshToken } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
  })

  it('lets the seeded admin manage users end to end', async () => {
    const admin = await login(ADMIN.email, ADMIN.password)
    const email = uniqueEmail('managed')
    const created = await json<{ id: string; role: string }>(
      await request('POST', '/api/v1/users', {
        token: admin.accessToken,
        body: { name: 'Managed', email, password: 'managed-pass', role: 'manager' },
      }),
      201,
    )
    expect(created.role).toBe('manager')
    const list = await request('GET', '/api/v1/users?limit=1', { token: admin.accessToken })
    expect(await json<unknown[]>(list, 200)).toHaveLength(1)
    expect(Number(list.headers.get('X-Total-Count'))).toBeGreaterThanOrEqual(2)
    expect(list.headers.get('Link')).toMatch(/rel="next"/)

    const managed = await login(email, 'managed-pass')
    const updated = await request('PUT', `/api/v1/users/${created.id}`, {
      token: admin.accessToken,
      body: { active: false },
    })
    expect(await json(updated, 200)).toMatchObject({ active: false })
    await expectError(
      await request('GET', '/api/v1/auth/me', { token: managed.accessToken }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )

    expect((await request('DELETE', `/api/v1/users/${created.id}`, { token: admin.accessToken })).status).toBe(204)
    await expectError(
      await request('GET', `/api/v1/users/${created.id}`, { token: admin.accessToken }),
      404,
      'E_USER_NOT_FOUND',
    )
  })

  it('answers errors in the envelope over the wire', async () => {
    await expectError(await request('GET', '/api/v1/nowhere'), 404, 'E_NOT_FOUND')
    await expectError(await request('PUT', '/api/v1/auth/login', { body: {} }), 405, 'E_METHOD_NOT_ALLOWED')
    await expectError(
      await request('POST', '/api/v1/auth/login', { body: {}, headers: { 'Content-Type': 'text/plain' } }),
      415,
      'E_UNSUPPORTED_MEDIA_TYPE',
    )
  })
})

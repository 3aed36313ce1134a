/**
 * Request logs: one JSON line per request with its id, method, path, status, duration and user, and
 * never a token, password, hash or query secret. The test captures console output through spies
 * and calls the app with LOG_LEVEL=info (the suite runs with warn).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { callWithEnv, expectStatus, ORIGIN, type Session } from './helpers'

afterEach(() => vi.restoreAllMocks())

describe('request logs', () => {
  it('write one JSON line per request with id, method, path, status and duration, and no secrets', async () => {
    const lines: string[] = []
    for (const method of ['log', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '))
      })
    }
    const password = 'password'
    const login = await callWithEnv(
      { LOG_LEVEL: 'info' },
      new Request(`${ORIGIN}/api/v1/auth/login?token=query-secret`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'log-test-1' },
        body: JSON.stringify({ email: 'admin@company.com', password }),
      }),
    )
    const { accessToken, refreshToken } = await expectStatus<Session>(login, 200)
    const me = await callWithEnv(
      { LOG_LEVEL: 'info' },
      new Request(`${ORIGIN}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${accessToken}` } }),
    )
    await expectStatus(me, 200)

    const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request')
    expect(requests).toHaveLength(2)
    expect(requests[0]).toMatchObject({
      level: 'info',
      requestId: 'log-test-1',
      method: 'POST',
      path: '/api/v1/auth/login',
      status: 200,
      durationMs: expect.any(Number),
      workspace: 'default',
    })
    expect(requests[1]).toMatchObject({
      method: 'GET',
      path: '/api/v1/auth/me',
      status: 200,
      workspace: 'default',
      userId: expect.any(String),
    })
    const everything = lines.join('\n')
    for (const secret of [accessToken, refreshToken, 'query-secret', 'pbkdf2-sha256', `"${password}"`]) {
      expect(everything).not.toContain(secret)
    }
  })
})

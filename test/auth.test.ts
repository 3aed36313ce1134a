/**
 * Sign-in and sessions (/api/v1/auth): logging in (token claims, identical answers for a wrong
 * password and an unknown email, hash upgrades, rate limits per email and per client address),
 * signing up, refresh-token rotation with reuse detection, logout, and which tokens /auth/me
 * accepts. Managing users is in users.test.ts; 401 without a token, on every route, in
 * access.test.ts.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { hashPassword } from '../src/auth/password'
import type { Workspace } from '../src/store/workspace'
import {
  ADMIN,
  asAdmin,
  call,
  expectError,
  expectStatus,
  forgeToken,
  login,
  type Session,
  type TokenPair,
  type User,
  uniqueEmail,
  userWithRole,
} from './helpers'

async function register(body: Record<string, unknown>, address?: string) {
  return call('POST', '/api/v1/auth/register', { body, address })
}

describe('POST /api/v1/auth/login', () => {
  it('logs the seeded development admin in with a token pair and the user', async () => {
    const res = await call('POST', '/api/v1/auth/login', { body: ADMIN })
    const body = await expectStatus<Record<string, unknown>>(res, 200)
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { email: ADMIN.email, role: 'admin' } })
    expect(body.user).not.toHaveProperty('passwordHash')
    expect(JSON.stringify(body)).not.toContain('pbkdf2')
    const claims = decodeJwt(String(body.accessToken))
    expect(claims).toMatchObject({ role: 'admin', typ: 'access', iss: 'ticketing-api', aud: 'ticketing-api' })
    for (const claim of ['sub', 'sid', 'jti', 'iat', 'exp']) expect(claims).toHaveProperty(claim)
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900)
    expect(decodeProtectedHeader(String(body.accessToken))).toMatchObject({ alg: 'HS256', kid: expect.any(String) })
    expect(decodeJwt(String(body.refreshToken))).toMatchObject({ typ: 'refresh', sid: claims.sid })
  })

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await call('POST', '/api/v1/auth/login', { body: { email: ADMIN.email, password: 'nope-nope' } })
    const unknown = await call('POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'nope-nope' } })
    expect(wrong.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
    const a = await expectError(wrong, 401, 'E_AUTH_INVALID_CREDENTIALS')
    const b = await expectError(unknown, 401, 'E_AUTH_INVALID_CREDENTIALS')
    expect(a).toEqual(b)
  })

  it('accepts the email in any case and with surrounding spaces', async () => {
    const res = await call('POST', '/api/v1/auth/login', {
      body: { email: '  ADMIN@Company.com ', password: 'password' },
    })
    expect((await expectStatus<Session>(res, 200)).user.email).toBe(ADMIN.email)
  })

  it('validates the body (422 with issues)', async () => {
    const res = await call('POST', '/api/v1/auth/login', { body: { email: 'not-an-email' } })
    const body = await expectError(res, 422, 'E_VALIDATION_ERROR')
    const issues = (body.details as { issues: { path: string }[] }).issues
    expect(issues.map((issue) => issue.path).sort()).toEqual(['email', 'password'])
  })

  it('upgrades a hash made with fewer iterations when its owner logs in', async () => {
    const email = uniqueEmail('legacy')
    const weak = await hashPassword('legacy-password', 1_000)
    const stub = env.WORKSPACE.getByName('default')
    await runInDurableObject(stub, (_instance: Workspace, state) => {
      const now = new Date().toISOString()
      state.storage.sql.exec(
        `INSERT INTO users (id, name, email, role, active, password_hash, created_at, updated_at)
         VALUES (?, 'Legacy', ?, 'user', 1, ?, ?, ?)`,
        crypto.randomUUID(),
        email,
        weak,
        now,
        now,
      )
    })
    await login(email, 'legacy-password')
    const stored = await runInDurableObject(stub, (_instance: Workspace, state) =>
      state.storage.sql.exec<{ h: string }>('SELECT password_hash AS h FROM users WHERE email = ?', email).one(),
    )
    expect(stored.h).toMatch(/^pbkdf2-sha256\$100000\$/)
    await login(email, 'legacy-password')
  })

  // The limiters count in fixed 60-second windows, so a run may straddle one reset: the tests allow
  // for exactly one (they take a few seconds) and still prove the limit holds within a window.
  it('limits attempts per email: the 11th in a minute is 429 with Retry-After', async () => {
    const email = uniqueEmail('target')
    const statuses: number[] = []
    let limited: Response | undefined
    for (let i = 0; i < 21 && !limited; i++) {
      const res = await call('POST', '/api/v1/auth/login', { body: { email, password: 'guess-guess' } })
      statuses.push(res.status)
      if (res.status === 429) limited = res
      else await res.body?.cancel()
    }
    const allowed = statuses.slice(0, -1)
    expect(allowed.every((status) => status === 401)).toBe(true)
    // 10 per window: the 11th attempt, or at most the 21st if a window ended during the run.
    expect(allowed.length).toBeGreaterThanOrEqual(10)
    expect(allowed.length).toBeLessThanOrEqual(20)
    expect(limited?.headers.get('Retry-After')).toBe('60')
    await expectError(limited as Response, 429, 'E_RATE_LIMITED')
  })

  it('limits attempts per client address across emails', async () => {
    const address = '192.0.2.77'
    let limited: Response | undefined
    let attempts = 0
    for (; attempts < 201 && !limited; attempts++) {
      const res = await call('POST', '/api/v1/auth/login', {
        address,
        body: { email: uniqueEmail('spray'), password: 'guess-guess' },
      })
      if (res.status === 429) limited = res
      else await res.body?.cancel()
    }
    // 100 per window: the 101st attempt, or at most the 201st if a window ended during the run.
    expect(attempts).toBeGreaterThanOrEqual(101)
    expect(limited).toBeDefined()
    await expectError(limited as Response, 429, 'E_RATE_LIMITED')
  })
})

describe('POST /api/v1/auth/register', () => {
  it('creates a plain user with 201, Location and a normalised email', async () => {
    const email = uniqueEmail('new')
    const res = await register({ name: 'New Person', email: `  ${email.toUpperCase()} `, password: 'long-enough' })
    const user = await expectStatus<User>(res, 201)
    expect(user).toMatchObject({ email, role: 'user', active: true })
    expect(res.headers.get('Location')).toBe(`/api/v1/users/${user.id}`)
    await login(email, 'long-enough')
  })

  it('refuses any role but user with 403', async () => {
    for (const role of ['manager', 'admin']) {
      const res = await register({ name: 'Sneaky', email: uniqueEmail(), password: 'long-enough', role })
      await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    }
    const res = await register({ name: 'Honest', email: uniqueEmail(), password: 'long-enough', role: 'user' })
    expect((await expectStatus<User>(res, 201)).role).toBe('user')
  })

  it('refuses a taken email with 409, whatever its case', async () => {
    const email = uniqueEmail('dup')
    await expectStatus(await register({ name: 'A', email, password: 'long-enough' }), 201)
    await expectError(
      await register({ name: 'B', email: email.toUpperCase(), password: 'long-enough' }),
      409,
      'E_USER_EMAIL_EXISTS',
    )
    await expectError(
      await register({ name: 'C', email: ADMIN.email, password: 'long-enough' }),
      409,
      'E_USER_EMAIL_EXISTS',
    )
  })

  it('refuses short and overlong passwords and unknown fields', async () => {
    await expectError(await register({ name: 'A', email: uniqueEmail(), password: 'short' }), 422, 'E_VALIDATION_ERROR')
    await expectError(
      await register({ name: 'A', email: uniqueEmail(), password: 'x'.repeat(129) }),
      422,
      'E_VALIDATION_ERROR',
    )
    const extra = await register({ name: 'A', email: uniqueEmail(), password: 'long-enough', active: false })
    await expectError(extra, 422, 'E_VALIDATION_ERROR')
  })
})

describe('POST /api/v1/auth/refresh', () => {
  it('rotates: each refresh returns a new pair and retires the old refresh token', async () => {
    const { refreshToken } = await userWithRole('user')
    const first = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken } })
    const pair = await expectStatus<TokenPair>(first, 200)
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 })
    expect(pair.refreshToken).not.toBe(refreshToken)
    await expectStatus(await call('GET', '/api/v1/auth/me', { token: pair.accessToken }), 200)
    const second = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } })
    expect((await expectStatus<TokenPair>(second, 200)).refreshToken).not.toBe(pair.refreshToken)
  })

  it('detects reuse of a retired refresh token and revokes the whole session', async () => {
    const { refreshToken } = await userWithRole('user')
    const rotated = await expectStatus<TokenPair>(
      await call('POST', '/api/v1/auth/refresh', { body: { refreshToken } }),
      200,
    )
    const replay = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken } })
    await expectError(replay, 401, 'E_AUTH_TOKEN_INVALID')
    // The thief's replay also ends the legitimate holder's tokens of that session.
    await expectError(
      await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: rotated.refreshToken } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
    await expectError(await call('GET', '/api/v1/auth/me', { token: rotated.accessToken }), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('never accepts an access token as a refresh token', async () => {
    const { accessToken } = await userWithRole('user')
    const res = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: accessToken } })
    await expectError(res, 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('refuses a refresh for a deactivated user', async () => {
    const admin = await asAdmin()
    const target = await userWithRole('user')
    const res = await call('PUT', `/api/v1/users/${target.user.id}`, {
      token: admin.accessToken,
      body: { active: false },
    })
    await expectStatus(res, 200)
    await expectError(
      await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: target.refreshToken } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
  })
})

describe('POST /api/v1/auth/logout', () => {
  it('revokes the session: its access token and refresh token stop working at once', async () => {
    const session = await userWithRole('user')
    const res = await call('POST', '/api/v1/auth/logout', { token: session.accessToken })
    expect(await expectStatus(res, 204)).toBeUndefined()
    await expectError(await call('GET', '/api/v1/auth/me', { token: session.accessToken }), 401, 'E_AUTH_TOKEN_INVALID')
    await expectError(
      await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
  })

  it('also ends another of the caller’s sessions when given its refresh token, but no one else’s', async () => {
    const first = await userWithRole('user')
    const second = await login(first.email, first.password)
    const stranger = await userWithRole('user')
    const res = await call('POST', '/api/v1/auth/logout', {
      token: first.accessToken,
      body: { refreshToken: second.refreshToken },
    })
    await expectStatus(res, 204)
    await expectError(await call('GET', '/api/v1/auth/me', { token: second.accessToken }), 401, 'E_AUTH_TOKEN_INVALID')
    const other = await login(stranger.email, stranger.password)
    const attempt = await call('POST', '/api/v1/auth/logout', {
      token: (await login(first.email, first.password)).accessToken,
      body: { refreshToken: other.refreshToken },
    })
    await expectStatus(attempt, 204)
    await expectStatus(await call('GET', '/api/v1/auth/me', { token: other.accessToken }), 200)
  })
})

describe('GET /api/v1/auth/me', () => {
  it('returns the caller without any hash', async () => {
    const session = await userWithRole('manager', 'Grace Hopper')
    const res = await call('GET', '/api/v1/auth/me', { token: session.accessToken })
    const user = await expectStatus<Record<string, unknown>>(res, 200)
    expect(user).toMatchObject({ id: session.user.id, name: 'Grace Hopper', role: 'manager', active: true })
    expect(Object.keys(user).sort()).toEqual(['active', 'createdAt', 'email', 'id', 'name', 'role', 'updatedAt'])
  })

  it('answers 401 E_AUTH_TOKEN_EXPIRED for an expired token', async () => {
    const session = await userWithRole('user')
    const claims = decodeJwt(session.accessToken)
    const expired = await forgeToken({ sub: claims.sub, sid: claims.sid, role: 'user' }, { expiresIn: -30 })
    await expectError(await call('GET', '/api/v1/auth/me', { token: expired }), 401, 'E_AUTH_TOKEN_EXPIRED')
  })

  it('refuses tokens with a wrong audience, issuer, key id or type, and alg none', async () => {
    const session = await userWithRole('user')
    const { sub, sid } = decodeJwt(session.accessToken)
    const valid = await forgeToken({ sub, sid, role: 'user' })
    await expectStatus(await call('GET', '/api/v1/auth/me', { token: valid }), 200)
    const forged = [
      await forgeToken({ sub, sid, aud: 'another-api' }),
      await forgeToken({ sub, sid, iss: 'someone-else' }),
      await forgeToken({ sub, sid }, { kid: 'unknown-key' }),
      await forgeToken({ sub, sid, typ: 'refresh' }),
    ]
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))
    const payload = base64url.encode(JSON.stringify({ ...decodeJwt(valid) }))
    forged.push(`${header}.${payload}.`)
    for (const token of forged) {
      await expectError(await call('GET', '/api/v1/auth/me', { token }), 401, 'E_AUTH_TOKEN_INVALID')
    }
  })

  it('refuses a well-signed token whose session never existed', async () => {
    const session = await userWithRole('user')
    const token = await forgeToken({ sub: session.user.id, sid: crypto.randomUUID(), role: 'admin' })
    await expectError(await call('GET', '/api/v1/auth/me', { token }), 401, 'E_AUTH_TOKEN_INVALID')
  })
})

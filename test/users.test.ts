/**
 * Users (/api/v1/users): admins list, create, change and delete them; a user reads and changes its
 * own name, email and password (with the current one), managers read anyone. Role and active
 * changes apply to tokens already issued; a password change, deactivation or deletion ends sessions;
 * an admin cannot lock itself out. Sign-up and sessions are in auth.test.ts; 401 without a token
 * and 404/422 for unknown and malformed ids are in access.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  asAdmin,
  call,
  expectError,
  expectStatus,
  login,
  nextLink,
  type User,
  uniqueEmail,
  userWithRole,
} from './helpers'

describe('GET /api/v1/users', () => {
  it('lists users oldest first for admins, paged with Link and X-Total-Count', async () => {
    const admin = await asAdmin()
    for (let i = 0; i < 3; i++) await userWithRole('user')
    const all = await call('GET', '/api/v1/users?limit=200', { token: admin.accessToken })
    const everyone = await expectStatus<User[]>(all, 200)
    const total = Number(all.headers.get('X-Total-Count'))
    expect(total).toBe(everyone.length)
    expect(total).toBeGreaterThanOrEqual(4)
    expect(all.headers.get('Link')).toBeNull()

    const seen: string[] = []
    let next: string | null = '/api/v1/users?limit=2'
    while (next) {
      const res = await call('GET', next, { token: admin.accessToken })
      const page = await expectStatus<User[]>(res, 200)
      expect(Number(res.headers.get('X-Total-Count'))).toBe(total)
      expect(page.length).toBeLessThanOrEqual(2)
      seen.push(...page.map((user) => user.id))
      next = nextLink(res)
      if (next) expect(next).toContain('limit=2')
    }
    expect(seen).toEqual(everyone.map((user) => user.id))
  })

  it('filters by role and active', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    const res = await call('GET', '/api/v1/users?role=manager&active=true&limit=200', { token: admin.accessToken })
    const managers = await expectStatus<User[]>(res, 200)
    expect(managers.every((user) => user.role === 'manager' && user.active)).toBe(true)
    expect(managers.map((user) => user.id)).toContain(manager.user.id)
  })

  it('refuses managers and users with 403', async () => {
    for (const role of ['user', 'manager'] as const) {
      const session = await userWithRole(role)
      await expectError(
        await call('GET', '/api/v1/users', { token: session.accessToken }),
        403,
        'E_AUTH_INSUFFICIENT_PERMISSIONS',
      )
    }
  })

  it('validates limit and cursor', async () => {
    const admin = await asAdmin()
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'cursor=garbage', 'role=owner']) {
      await expectError(
        await call('GET', `/api/v1/users?${query}`, { token: admin.accessToken }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
  })
})

describe('POST /api/v1/users', () => {
  it('lets an admin create a user with any role: 201 and Location', async () => {
    const admin = await asAdmin()
    const email = uniqueEmail('made')
    const res = await call('POST', '/api/v1/users/', {
      token: admin.accessToken,
      body: { name: 'Made Manager', email, password: 'long-enough', role: 'manager' },
    })
    const user = await expectStatus<User>(res, 201)
    expect(user).toMatchObject({ email, role: 'manager', active: true })
    expect(res.headers.get('Location')).toBe(`/api/v1/users/${user.id}`)
    expect((await login(email, 'long-enough')).user.role).toBe('manager')
  })

  it('refuses a duplicate email with 409 and non-admins with 403', async () => {
    const admin = await asAdmin()
    const existing = await userWithRole('user')
    const dup = await call('POST', '/api/v1/users', {
      token: admin.accessToken,
      body: { name: 'Dup', email: existing.email, password: 'long-enough' },
    })
    await expectError(dup, 409, 'E_USER_EMAIL_EXISTS')
    const manager = await userWithRole('manager')
    const res = await call('POST', '/api/v1/users', {
      token: manager.accessToken,
      body: { name: 'X', email: uniqueEmail(), password: 'long-enough' },
    })
    await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
  })
})

describe('GET /api/v1/users/{userId}', () => {
  it('lets a user read itself but not others (404), and managers read anyone', async () => {
    const alice = await userWithRole('user')
    const bob = await userWithRole('user')
    const manager = await userWithRole('manager')
    const own = await call('GET', `/api/v1/users/${alice.user.id}`, { token: alice.accessToken })
    expect(await expectStatus<User>(own, 200)).toMatchObject({ id: alice.user.id, email: alice.email })
    await expectError(
      await call('GET', `/api/v1/users/${bob.user.id}`, { token: alice.accessToken }),
      404,
      'E_USER_NOT_FOUND',
    )
    const res = await call('GET', `/api/v1/users/${bob.user.id}`, { token: manager.accessToken })
    expect(await expectStatus<User>(res, 200)).toMatchObject({ id: bob.user.id, email: bob.email })
  })
})

describe('PUT /api/v1/users/{userId}', () => {
  it('lets users change their own name and email', async () => {
    const alice = await userWithRole('user')
    const email = uniqueEmail('renamed')
    const res = await call('PUT', `/api/v1/users/${alice.user.id}`, {
      token: alice.accessToken,
      body: { name: 'Alice Renamed', email },
    })
    expect(await expectStatus<User>(res, 200)).toMatchObject({ name: 'Alice Renamed', email })
  })

  it('forbids non-admins to send role or active, even for themselves (403)', async () => {
    const alice = await userWithRole('user')
    const manager = await userWithRole('manager')
    for (const body of [{ role: 'admin' }, { role: 'user' }, { active: true }]) {
      const res = await call('PUT', `/api/v1/users/${alice.user.id}`, { token: alice.accessToken, body })
      await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    }
    const res = await call('PUT', `/api/v1/users/${alice.user.id}`, { token: manager.accessToken, body: { name: 'X' } })
    await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    const other = await call('PUT', `/api/v1/users/${manager.user.id}`, {
      token: alice.accessToken,
      body: { name: 'X' },
    })
    await expectError(other, 404, 'E_USER_NOT_FOUND')
  })

  it('applies a role change to tokens already issued', async () => {
    const admin = await asAdmin()
    const promoted = await userWithRole('user')
    await expectError(
      await call('GET', '/api/v1/users', { token: promoted.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    const res = await call('PUT', `/api/v1/users/${promoted.user.id}`, {
      token: admin.accessToken,
      body: { role: 'admin' },
    })
    expect((await expectStatus<User>(res, 200)).role).toBe('admin')
    await expectStatus(await call('GET', '/api/v1/users', { token: promoted.accessToken }), 200)
  })

  it('changes a password only with the current one, and ends the other sessions', async () => {
    const alice = await userWithRole('user')
    const otherDevice = await login(alice.email, alice.password)
    const path = `/api/v1/users/${alice.user.id}`
    const missing = await call('PUT', path, { token: alice.accessToken, body: { password: 'brand-new-pass' } })
    const issues = (await expectError(missing, 422, 'E_VALIDATION_ERROR')).details as { issues: { path: string }[] }
    expect(issues.issues[0]?.path).toBe('currentPassword')
    const wrong = await call('PUT', path, {
      token: alice.accessToken,
      body: { password: 'brand-new-pass', currentPassword: 'not-it' },
    })
    await expectError(wrong, 400, 'E_USER_CURRENT_PASSWORD_INVALID')
    const ok = await call('PUT', path, {
      token: alice.accessToken,
      body: { password: 'brand-new-pass', currentPassword: alice.password },
    })
    await expectStatus(ok, 200)
    await expectStatus(await call('GET', '/api/v1/auth/me', { token: alice.accessToken }), 200)
    await expectError(
      await call('GET', '/api/v1/auth/me', { token: otherDevice.accessToken }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
    await expectError(
      await call('POST', '/api/v1/auth/login', { body: { email: alice.email, password: alice.password } }),
      401,
      'E_AUTH_INVALID_CREDENTIALS',
    )
    await login(alice.email, 'brand-new-pass')
  })

  it('lets an admin reset another user’s password without the current one, ending all its sessions', async () => {
    const admin = await asAdmin()
    const bob = await userWithRole('user')
    const res = await call('PUT', `/api/v1/users/${bob.user.id}`, {
      token: admin.accessToken,
      body: { password: 'reset-by-admin' },
    })
    await expectStatus(res, 200)
    await expectError(await call('GET', '/api/v1/auth/me', { token: bob.accessToken }), 401, 'E_AUTH_TOKEN_INVALID')
    await login(bob.email, 'reset-by-admin')
  })

  it('deactivation ends all sessions and blocks login; reactivation allows it again', async () => {
    const admin = await asAdmin()
    const bob = await userWithRole('user')
    const path = `/api/v1/users/${bob.user.id}`
    const res = await call('PUT', path, { token: admin.accessToken, body: { active: false } })
    expect((await expectStatus<User>(res, 200)).active).toBe(false)
    await expectError(await call('GET', '/api/v1/auth/me', { token: bob.accessToken }), 401, 'E_AUTH_TOKEN_INVALID')
    await expectError(
      await call('POST', '/api/v1/auth/login', { body: { email: bob.email, password: bob.password } }),
      401,
      'E_AUTH_INVALID_CREDENTIALS',
    )
    const reactivated = await call('PUT', path, { token: admin.accessToken, body: { active: true } })
    expect((await expectStatus<User>(reactivated, 200)).active).toBe(true)
    await login(bob.email, bob.password)
  })

  it('stops an admin from demoting or deactivating itself', async () => {
    const admin = await userWithRole('admin')
    for (const body of [{ role: 'manager' }, { active: false }]) {
      const res = await call('PUT', `/api/v1/users/${admin.user.id}`, { token: admin.accessToken, body })
      await expectError(res, 400, 'E_USER_SELF_LOCKOUT')
    }
  })

  it('refuses a taken email (409), an empty body and unknown fields (422)', async () => {
    const alice = await userWithRole('user')
    const bob = await userWithRole('user')
    const path = `/api/v1/users/${alice.user.id}`
    await expectError(
      await call('PUT', path, { token: alice.accessToken, body: { email: bob.email } }),
      409,
      'E_USER_EMAIL_EXISTS',
    )
    await expectError(await call('PUT', path, { token: alice.accessToken, body: {} }), 422, 'E_VALIDATION_ERROR')
    await expectError(
      await call('PUT', path, { token: alice.accessToken, body: { passwordHash: 'x' } }),
      422,
      'E_VALIDATION_ERROR',
    )
  })
})

describe('DELETE /api/v1/users/{userId}', () => {
  it('lets an admin delete a user: 204, its tokens die, it is gone', async () => {
    const admin = await asAdmin()
    const bob = await userWithRole('user')
    const res = await call('DELETE', `/api/v1/users/${bob.user.id}`, { token: admin.accessToken })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    await expectError(await call('GET', '/api/v1/auth/me', { token: bob.accessToken }), 401, 'E_AUTH_TOKEN_INVALID')
    await expectError(
      await call('GET', `/api/v1/users/${bob.user.id}`, { token: admin.accessToken }),
      404,
      'E_USER_NOT_FOUND',
    )
    await expectError(
      await call('DELETE', `/api/v1/users/${bob.user.id}`, { token: admin.accessToken }),
      404,
      'E_USER_NOT_FOUND',
    )
  })

  it('refuses to let an admin delete itself, and non-admins to delete anyone', async () => {
    const admin = await userWithRole('admin')
    await expectError(
      await call('DELETE', `/api/v1/users/${admin.user.id}`, { token: admin.accessToken }),
      400,
      'E_USER_SELF_LOCKOUT',
    )
    const manager = await userWithRole('manager')
    const victim = await userWithRole('user')
    await expectError(
      await call('DELETE', `/api/v1/users/${victim.user.id}`, { token: manager.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
  })
})

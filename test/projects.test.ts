/**
 * Projects (/api/v1/projects): creating them (keys, defaults, validation, duplicates and the
 * reserved TSK), listing and paging, reading, renaming, and deleting, which a project with tickets
 * refuses; its ticket keys are never reused, not even by a new project with the same key. Every
 * authenticated user may read projects; only managers and admins change them. The 401 without a
 * token and the 404/422 for unknown and malformed ids are in access.test.ts, for every route.
 */
import { describe, expect, it } from 'vitest'
import {
  asAdmin,
  call,
  createProject,
  createTicket,
  expectError,
  expectStatus,
  nextLink,
  type Project,
  uniqueProjectKey as uniqueKey,
  userWithRole,
} from './helpers'

describe('POST /api/v1/projects', () => {
  it('lets managers and admins create a project: 201, Location and the project', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    for (const session of [admin, manager]) {
      const key = uniqueKey()
      const res = await call('POST', '/api/v1/projects', {
        token: session.accessToken,
        body: { key, name: 'Operations', description: 'Servers and networks' },
      })
      const project = await expectStatus<Project>(res, 201)
      expect(project).toEqual({
        id: expect.any(String),
        key,
        name: 'Operations',
        description: 'Servers and networks',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      })
      expect(project.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(Number.isNaN(Date.parse(project.createdAt))).toBe(false)
      expect(project.updatedAt).toBe(project.createdAt)
      expect(res.headers.get('Location')).toBe(`/api/v1/projects/${project.id}`)
    }
  })

  it('defaults the description to an empty string', async () => {
    const admin = await asAdmin()
    const key = uniqueKey()
    const res = await call('POST', '/api/v1/projects', { token: admin.accessToken, body: { key, name: 'Bare' } })
    expect(await expectStatus<Project>(res, 201)).toMatchObject({ key, name: 'Bare', description: '' })
  })

  it('refuses plain users with 403 E_AUTH_INSUFFICIENT_PERMISSIONS', async () => {
    const user = await userWithRole('user')
    const res = await call('POST', '/api/v1/projects', {
      token: user.accessToken,
      body: { key: uniqueKey(), name: 'Not mine' },
    })
    await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
  })

  it('refuses malformed keys with 422 E_VALIDATION_ERROR', async () => {
    const admin = await asAdmin()
    for (const key of ['pabc', 'Pabc', 'P', 'PABCDEFGHIJ', '1ABC', 'P-AB', '']) {
      const res = await call('POST', '/api/v1/projects', { token: admin.accessToken, body: { key, name: 'Bad key' } })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
  })

  it('accepts keys of exactly 2 and 10 characters', async () => {
    const admin = await asAdmin()
    const ten = `${uniqueKey()}ABCD`
    expect(ten).toHaveLength(10)
    const res = await call('POST', '/api/v1/projects', { token: admin.accessToken, body: { key: ten, name: 'Ten' } })
    expect((await expectStatus<Project>(res, 201)).key).toBe(ten)
    // Only this test uses keys starting with Q, and storage is fresh for each test file.
    const two = await call('POST', '/api/v1/projects', { token: admin.accessToken, body: { key: 'Q9', name: 'Two' } })
    expect((await expectStatus<Project>(two, 201)).key).toBe('Q9')
  })

  it('refuses a missing or blank name and unknown fields with 422', async () => {
    const admin = await asAdmin()
    for (const body of [
      { key: uniqueKey() },
      { key: uniqueKey(), name: '   ' },
      { key: uniqueKey(), name: 'Extra', owner: 'me' },
      { key: uniqueKey(), name: 'Extra', id: crypto.randomUUID() },
    ]) {
      const res = await call('POST', '/api/v1/projects', { token: admin.accessToken, body })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
  })

  it('refuses a duplicate key with 409 E_PROJECT_KEY_EXISTS', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    const existing = await createProject(admin)
    const res = await call('POST', '/api/v1/projects', {
      token: manager.accessToken,
      body: { key: existing.key, name: 'Copy' },
    })
    await expectError(res, 409, 'E_PROJECT_KEY_EXISTS')
  })

  it('refuses the reserved key TSK with 409 E_PROJECT_KEY_EXISTS', async () => {
    const admin = await asAdmin()
    const res = await call('POST', '/api/v1/projects', {
      token: admin.accessToken,
      body: { key: 'TSK', name: 'Tasks' },
    })
    await expectError(res, 409, 'E_PROJECT_KEY_EXISTS')
  })
})

describe('GET /api/v1/projects', () => {
  it('lists projects for any authenticated user, with X-Total-Count', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const created = await createProject(admin, { name: 'Visible to everyone' })
    const res = await call('GET', '/api/v1/projects?limit=200', { token: user.accessToken })
    const projects = await expectStatus<Project[]>(res, 200)
    expect(Array.isArray(projects)).toBe(true)
    expect(Number(res.headers.get('X-Total-Count'))).toBe(projects.length)
    expect(res.headers.get('Link')).toBeNull()
    expect(projects).toContainEqual(created)
  })

  it('pages with limit and Link rel="next", visiting every project exactly once', async () => {
    const admin = await asAdmin()
    for (let i = 0; i < 3; i++) await createProject(admin)
    const all = await call('GET', '/api/v1/projects?limit=200', { token: admin.accessToken })
    const everyone = await expectStatus<Project[]>(all, 200)
    const total = Number(all.headers.get('X-Total-Count'))
    expect(total).toBe(everyone.length)
    expect(total).toBeGreaterThanOrEqual(3)

    const first = await call('GET', '/api/v1/projects?limit=1', { token: admin.accessToken })
    await expectStatus(first, 200)
    expect(first.headers.get('Link')).toMatch(/rel="next"/)

    const seen: string[] = []
    let next: string | null = '/api/v1/projects?limit=1'
    for (let pages = 0; next; pages++) {
      expect(pages).toBeLessThanOrEqual(total)
      const res = await call('GET', next, { token: admin.accessToken })
      const page = await expectStatus<Project[]>(res, 200)
      expect(Number(res.headers.get('X-Total-Count'))).toBe(total)
      expect(page).toHaveLength(1)
      seen.push(...page.map((project) => project.id))
      next = nextLink(res)
      if (next) expect(next).toContain('limit=1')
    }
    expect(seen).toEqual(everyone.map((project) => project.id))
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('validates limit and cursor with 422', async () => {
    const admin = await asAdmin()
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'cursor=garbage']) {
      await expectError(
        await call('GET', `/api/v1/projects?${query}`, { token: admin.accessToken }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
  })
})

describe('GET /api/v1/projects/{projectId}', () => {
  it('returns the project to any authenticated user', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const project = await createProject(admin, { description: 'Read me' })
    const res = await call('GET', `/api/v1/projects/${project.id}`, { token: user.accessToken })
    expect(await expectStatus<Project>(res, 200)).toEqual(project)
  })
})

describe('PUT /api/v1/projects/{projectId}', () => {
  it('lets managers and admins change the name and description, keeping the key', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    const project = await createProject(admin, { name: 'Before', description: 'Old' })

    const renamed = await call('PUT', `/api/v1/projects/${project.id}`, {
      token: manager.accessToken,
      body: { name: 'After' },
    })
    const after = await expectStatus<Project>(renamed, 200)
    expect(after).toMatchObject({ id: project.id, key: project.key, name: 'After', description: 'Old' })
    expect(after.createdAt).toBe(project.createdAt)
    expect(after.updatedAt >= project.updatedAt).toBe(true)

    const described = await call('PUT', `/api/v1/projects/${project.id}`, {
      token: admin.accessToken,
      body: { description: 'New' },
    })
    expect(await expectStatus<Project>(described, 200)).toMatchObject({
      key: project.key,
      name: 'After',
      description: 'New',
    })

    const both = await call('PUT', `/api/v1/projects/${project.id}`, {
      token: admin.accessToken,
      body: { name: 'Both', description: '' },
    })
    expect(await expectStatus<Project>(both, 200)).toMatchObject({ name: 'Both', description: '' })

    const read = await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken })
    expect(await expectStatus<Project>(read, 200)).toMatchObject({ key: project.key, name: 'Both', description: '' })
  })

  it('refuses to change the key, an empty body and unknown fields with 422', async () => {
    const admin = await asAdmin()
    const project = await createProject(admin, { name: 'Fixed key' })
    for (const body of [{ key: 'NEW' }, { key: 'NEW', name: 'Renamed' }, {}, { name: '' }, { owner: 'me' }]) {
      await expectError(
        await call('PUT', `/api/v1/projects/${project.id}`, { token: admin.accessToken, body }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
    const read = await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken })
    expect(await expectStatus<Project>(read, 200)).toEqual(project)
  })

  it('refuses plain users with 403, leaving the project as it was', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const project = await createProject(admin)
    await expectError(
      await call('PUT', `/api/v1/projects/${project.id}`, { token: user.accessToken, body: { name: 'Mine now' } }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    const read = await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken })
    expect(await expectStatus<Project>(read, 200)).toEqual(project)
  })
})

describe('DELETE /api/v1/projects/{projectId}', () => {
  it('lets managers and admins delete a project without tickets: 204, then 404', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    for (const session of [admin, manager]) {
      const project = await createProject(admin)
      const res = await call('DELETE', `/api/v1/projects/${project.id}`, { token: session.accessToken })
      expect(res.status).toBe(204)
      expect(await res.text()).toBe('')
      await expectError(
        await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken }),
        404,
        'E_PROJECT_NOT_FOUND',
      )
      await expectError(
        await call('DELETE', `/api/v1/projects/${project.id}`, { token: session.accessToken }),
        404,
        'E_PROJECT_NOT_FOUND',
      )
    }
  })

  it('refuses plain users (403) and requests without a token (401), and the project stays', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const project = await createProject(admin)
    await expectError(
      await call('DELETE', `/api/v1/projects/${project.id}`, { token: user.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    await expectError(await call('DELETE', `/api/v1/projects/${project.id}`), 401, 'E_AUTH_TOKEN_INVALID')
    await expectStatus(await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken }), 200)
  })

  it('refuses a project with tickets (409 E_PROJECT_HAS_TICKETS) and never reuses its ticket keys', async () => {
    const admin = await asAdmin()
    const project = await createProject(admin)

    const first = await createTicket(admin, { projectId: project.id })
    expect(first.key).toBe(`${project.key}-1`)
    expect(first.projectId).toBe(project.id)
    const second = await createTicket(admin, { projectId: project.id })
    expect(second.key).toBe(`${project.key}-2`)

    await expectError(
      await call('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken }),
      409,
      'E_PROJECT_HAS_TICKETS',
    )
    await expectStatus(await call('DELETE', `/api/v1/tickets/${first.id}`, { token: admin.accessToken }), 204)
    await expectError(
      await call('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken }),
      409,
      'E_PROJECT_HAS_TICKETS',
    )
    await expectStatus(await call('DELETE', `/api/v1/tickets/${second.id}`, { token: admin.accessToken }), 204)
    await expectStatus(await call('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken }), 204)

    const again = await createProject(admin, { key: project.key, name: 'Same key again' })
    expect(again.id).not.toBe(project.id)
    expect(again.key).toBe(project.key)
    const third = await createTicket(admin, { projectId: again.id })
    expect(third.key).toBe(`${project.key}-3`)
  })
})

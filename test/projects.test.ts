import { beforeAll, describe, expect, it } from 'vitest'
import { asAdmin, call, expectError, userWithRole } from './helpers'

type Project = { id: string; key: string; name: string; description: string; createdAt: string; updatedAt: string }
type Ticket = { id: string; key: string; projectId: string | null }

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** A fresh project key (`P` + 5 capitals or digits): storage is shared by every test in this file. */
const uniqueKey = () => `P${Array.from(crypto.getRandomValues(new Uint8Array(5)), (n) => ALPHABET[n % 36]).join('')}`

async function createProject(token: string, body: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/v1/projects', { token, body: { key: uniqueKey(), name: 'Project', ...body } })
  if (res.status !== 201) throw new Error(`create project → ${res.status} ${await res.text()}`)
  return res.json<Project>()
}

async function createTicket(token: string, projectId: string) {
  const res = await call('POST', '/api/v1/tickets', {
    token,
    body: { title: 'Ticket in a project', description: 'For the project tests', projectId },
  })
  if (res.status !== 201) throw new Error(`create ticket → ${res.status} ${await res.text()}`)
  return res.json<Ticket>()
}

// The first request pays the cold start (Durable Object, migrations, seeded admin, PBKDF2): about
// 4 s, too close to the 5 s test timeout on a busy machine, so it is paid here with room to spare.
beforeAll(async () => {
  await asAdmin()
}, 30_000)

/** The path and query of the rel="next" link, or null on the last page. */
function nextLink(res: Response) {
  const link = res.headers.get('Link')
  const target = link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined
  if (!target) return null
  const url = new URL(target, 'https://api.test')
  return url.pathname + url.search
}

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
      expect(res.status).toBe(201)
      const project = await res.json<Project>()
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
    expect(res.status).toBe(201)
    expect(await res.json<Project>()).toMatchObject({ key, name: 'Bare', description: '' })
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
    expect(res.status).toBe(201)
    // Only this test uses keys starting with Q, and storage is fresh for each test file.
    const two = await call('POST', '/api/v1/projects', { token: admin.accessToken, body: { key: 'Q9', name: 'Two' } })
    expect(two.status).toBe(201)
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
    const existing = await createProject(admin.accessToken)
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

  it('refuses requests without a token with 401 E_AUTH_TOKEN_INVALID', async () => {
    const res = await call('POST', '/api/v1/projects', { body: { key: uniqueKey(), name: 'Anonymous' } })
    await expectError(res, 401, 'E_AUTH_TOKEN_INVALID')
  })
})

describe('GET /api/v1/projects', () => {
  it('lists projects for any authenticated user, with X-Total-Count', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const created = await createProject(admin.accessToken, { name: 'Visible to everyone' })
    const res = await call('GET', '/api/v1/projects?limit=200', { token: user.accessToken })
    expect(res.status).toBe(200)
    const projects = await res.json<Project[]>()
    expect(Array.isArray(projects)).toBe(true)
    expect(Number(res.headers.get('X-Total-Count'))).toBe(projects.length)
    expect(res.headers.get('Link')).toBeNull()
    expect(projects).toContainEqual(created)
  })

  it('pages with limit and Link rel="next", visiting every project exactly once', async () => {
    const admin = await asAdmin()
    for (let i = 0; i < 3; i++) await createProject(admin.accessToken)
    const all = await call('GET', '/api/v1/projects?limit=200', { token: admin.accessToken })
    const everyone = await all.json<Project[]>()
    const total = Number(all.headers.get('X-Total-Count'))
    expect(total).toBe(everyone.length)
    expect(total).toBeGreaterThanOrEqual(3)

    const first = await call('GET', '/api/v1/projects?limit=1', { token: admin.accessToken })
    expect(first.headers.get('Link')).toMatch(/rel="next"/)

    const seen: string[] = []
    let next: string | null = '/api/v1/projects?limit=1'
    for (let pages = 0; next; pages++) {
      expect(pages).toBeLessThanOrEqual(total)
      const res = await call('GET', next, { token: admin.accessToken })
      expect(res.status).toBe(200)
      expect(Number(res.headers.get('X-Total-Count'))).toBe(total)
      const page = await res.json<Project[]>()
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

  it('refuses requests without a token with 401 E_AUTH_TOKEN_INVALID', async () => {
    await expectError(await call('GET', '/api/v1/projects'), 401, 'E_AUTH_TOKEN_INVALID')
  })
})

describe('GET /api/v1/projects/{projectId}', () => {
  it('returns the project to any authenticated user', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const project = await createProject(admin.accessToken, { description: 'Read me' })
    const res = await call('GET', `/api/v1/projects/${project.id}`, { token: user.accessToken })
    expect(res.status).toBe(200)
    expect(await res.json<Project>()).toEqual(project)
  })

  it('answers 404 E_PROJECT_NOT_FOUND for unknown ids and 422 for malformed ones', async () => {
    const admin = await asAdmin()
    await expectError(
      await call('GET', `/api/v1/projects/${crypto.randomUUID()}`, { token: admin.accessToken }),
      404,
      'E_PROJECT_NOT_FOUND',
    )
    await expectError(
      await call('GET', '/api/v1/projects/not-a-uuid', { token: admin.accessToken }),
      422,
      'E_VALIDATION_ERROR',
    )
  })

  it('refuses requests without a token with 401 E_AUTH_TOKEN_INVALID', async () => {
    const admin = await asAdmin()
    const project = await createProject(admin.accessToken)
    await expectError(await call('GET', `/api/v1/projects/${project.id}`), 401, 'E_AUTH_TOKEN_INVALID')
  })
})

describe('PUT /api/v1/projects/{projectId}', () => {
  it('lets managers and admins change the name and description, keeping the key', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    const project = await createProject(admin.accessToken, { name: 'Before', description: 'Old' })

    const renamed = await call('PUT', `/api/v1/projects/${project.id}`, {
      token: manager.accessToken,
      body: { name: 'After' },
    })
    expect(renamed.status).toBe(200)
    const after = await renamed.json<Project>()
    expect(after).toMatchObject({ id: project.id, key: project.key, name: 'After', description: 'Old' })
    expect(after.createdAt).toBe(project.createdAt)
    expect(after.updatedAt >= project.updatedAt).toBe(true)

    const described = await call('PUT', `/api/v1/projects/${project.id}`, {
      token: admin.accessToken,
      body: { description: 'New' },
    })
    expect(described.status).toBe(200)
    expect(await described.json<Project>()).toMatchObject({ key: project.key, name: 'After', description: 'New' })

    const both = await call('PUT', `/api/v1/projects/${project.id}`, {
      token: admin.accessToken,
      body: { name: 'Both', description: '' },
    })
    expect(await both.json<Project>()).toMatchObject({ name: 'Both', description: '' })

    const read = await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken })
    expect(await read.json<Project>()).toMatchObject({ key: project.key, name: 'Both', description: '' })
  })

  it('refuses to change the key, an empty body and unknown fields with 422', async () => {
    const admin = await asAdmin()
    const project = await createProject(admin.accessToken, { name: 'Fixed key' })
    for (const body of [{ key: 'NEW' }, { key: 'NEW', name: 'Renamed' }, {}, { name: '' }, { owner: 'me' }]) {
      await expectError(
        await call('PUT', `/api/v1/projects/${project.id}`, { token: admin.accessToken, body }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
    const read = await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken })
    expect(await read.json<Project>()).toEqual(project)
  })

  it('refuses plain users with 403 and unknown projects with 404', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const project = await createProject(admin.accessToken)
    await expectError(
      await call('PUT', `/api/v1/projects/${project.id}`, { token: user.accessToken, body: { name: 'Mine now' } }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    await expectError(
      await call('PUT', `/api/v1/projects/${crypto.randomUUID()}`, { token: admin.accessToken, body: { name: 'X' } }),
      404,
      'E_PROJECT_NOT_FOUND',
    )
  })

  it('refuses requests without a token with 401 E_AUTH_TOKEN_INVALID', async () => {
    const admin = await asAdmin()
    const project = await createProject(admin.accessToken)
    await expectError(
      await call('PUT', `/api/v1/projects/${project.id}`, { body: { name: 'Anonymous' } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
  })
})

describe('DELETE /api/v1/projects/{projectId}', () => {
  it('lets managers and admins delete a project without tickets: 204, then 404', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    for (const session of [admin, manager]) {
      const project = await createProject(admin.accessToken)
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

  it('refuses plain users with 403, malformed ids with 422 and no token with 401', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const project = await createProject(admin.accessToken)
    await expectError(
      await call('DELETE', `/api/v1/projects/${project.id}`, { token: user.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    await expectError(
      await call('DELETE', '/api/v1/projects/not-a-uuid', { token: admin.accessToken }),
      422,
      'E_VALIDATION_ERROR',
    )
    await expectError(await call('DELETE', `/api/v1/projects/${project.id}`), 401, 'E_AUTH_TOKEN_INVALID')
    expect((await call('GET', `/api/v1/projects/${project.id}`, { token: admin.accessToken })).status).toBe(200)
  })

  it('refuses a project with tickets (409 E_PROJECT_HAS_TICKETS) and never reuses its ticket keys', async () => {
    const admin = await asAdmin()
    const project = await createProject(admin.accessToken)

    const first = await createTicket(admin.accessToken, project.id)
    expect(first.key).toBe(`${project.key}-1`)
    expect(first.projectId).toBe(project.id)
    const second = await createTicket(admin.accessToken, project.id)
    expect(second.key).toBe(`${project.key}-2`)

    await expectError(
      await call('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken }),
      409,
      'E_PROJECT_HAS_TICKETS',
    )
    expect((await call('DELETE', `/api/v1/tickets/${first.id}`, { token: admin.accessToken })).status).toBe(204)
    await expectError(
      await call('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken }),
      409,
      'E_PROJECT_HAS_TICKETS',
    )
    expect((await call('DELETE', `/api/v1/tickets/${second.id}`, { token: admin.accessToken })).status).toBe(204)
    expect((await call('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken })).status).toBe(204)

    const again = await createProject(admin.accessToken, { key: project.key, name: 'Same key again' })
    expect(again.id).not.toBe(project.id)
    expect(again.key).toBe(project.key)
    const third = await createTicket(admin.accessToken, again.id)
    expect(third.key).toBe(`${project.key}-3`)
  })
})

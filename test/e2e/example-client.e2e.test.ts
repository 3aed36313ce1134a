import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { components } from '../../examples/api-types'
import { coreFlow, FLOW_SCOPES, mintApiToken } from '../../examples/client'
import { baseUrl, checkedFetch, expectError, json, login, request, uniqueEmail } from './client'

type ApiToken = components['schemas']['ApiToken']

const ROOT = join(import.meta.dirname, '..', '..')

describe('the example client (generated types + openapi-fetch)', () => {
  it('runs the core flow, every response checked against the document', async () => {
    const result = await coreFlow({ baseUrl: baseUrl(), fetch: (request) => checkedFetch(request) })
    expect(result.ticket).toMatchObject({ status: 'closed', version: 3, key: `${result.projectKey}-1` })
    expect(result.history.map((entry) => [entry.action, entry.newValue])).toEqual([
      ['created', expect.objectContaining({ key: result.ticket.key })],
      ['updated_status', 'in_progress'],
      ['updated_status', 'closed'],
    ])
    expect(result.attachment).toMatchObject({ filename: 'temperatures.csv', sameBytes: true })
    expect(result.attachment.downloadedBytes).toBe(result.attachment.size)
    expect(result.dashboard.closedTickets).toBeGreaterThanOrEqual(1)
  })

  it('runs the core flow in a workspace of its own, named at login', async () => {
    const slug = `example-${crypto.randomUUID().slice(0, 8)}`
    const admin = { name: 'Example', email: uniqueEmail('example'), password: 'example-password' }
    const created = await json<{ accessToken: string }>(
      await request('POST', '/api/v1/workspaces', { body: { slug, name: 'Example', admin } }),
      201,
    )
    const result = await coreFlow({
      baseUrl: baseUrl(),
      workspace: slug,
      email: admin.email,
      password: admin.password,
      fetch: (request) => checkedFetch(request),
    })
    expect(result.ticket).toMatchObject({ status: 'closed', key: `${result.projectKey}-1` })
    expect(result.attachment).toMatchObject({ sameBytes: true })
    // It all happened in that workspace, and none of it is visible from `default`.
    const counts = await json<{ counts: { users: number; tickets: number; projects: number } }>(
      await request('GET', '/api/v1/workspace', { token: created.accessToken }),
      200,
    )
    expect(counts.counts).toEqual({ users: 1, tickets: 1, projects: 1 })
    const home = await login('admin@company.com', 'password')
    await expectError(
      await request('GET', `/api/v1/tickets/${result.ticket.id}`, { token: home.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
  })

  it('runs the core flow with a freshly minted API token, as a function and as `TICKETING_API_TOKEN`', async () => {
    const slug = `example-tok-${crypto.randomUUID().slice(0, 8)}`
    const admin = { name: 'Example', email: uniqueEmail('example-tok'), password: 'example-password' }
    const created = await json<{ accessToken: string; user: { id: string } }>(
      await request('POST', '/api/v1/workspaces', { body: { slug, name: 'Example with a token', admin } }),
      201,
    )
    const minted = await mintApiToken({
      baseUrl: baseUrl(),
      workspace: slug,
      email: admin.email,
      password: admin.password,
      fetch: (request) => checkedFetch(request),
    })
    expect(minted).toMatchObject({ userId: created.user.id, scopes: FLOW_SCOPES, lastUsedAt: null })
    expect(minted.token.startsWith(`tkt_${slug}.`)).toBe(true)

    const lines: string[] = []
    const result = await coreFlow({
      baseUrl: baseUrl(),
      apiToken: minted.token,
      fetch: (request) => checkedFetch(request),
      log: (line) => lines.push(line),
    })
    expect(lines[0]).toBe(`using an API token of ${admin.email} (admin)`)
    expect(result.ticket).toMatchObject({
      status: 'closed',
      version: 3,
      key: `${result.projectKey}-1`,
      reporterId: created.user.id,
    })
    expect(result.history.map((entry) => entry.action)).toEqual(['created', 'updated_status', 'updated_status'])
    expect(result.attachment).toMatchObject({ filename: 'temperatures.csv', sameBytes: true })
    expect(result.dashboard.closedTickets).toBe(1)

    // The same token, from the environment, as a consumer would run it.
    const run = spawnSync(process.execPath, [join(ROOT, 'examples', 'client.ts'), baseUrl()], {
      cwd: ROOT,
      env: { ...process.env, TICKETING_API_TOKEN: minted.token },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain(`using an API token of ${admin.email} (admin)`)
    expect(run.stdout).toContain('example client: core flow done')

    // Both runs happened in the token's workspace, and the token shows it was used.
    const counts = await json<{ counts: { tickets: number; projects: number } }>(
      await request('GET', '/api/v1/workspace', { token: created.accessToken }),
      200,
    )
    expect(counts.counts).toMatchObject({ tickets: 2, projects: 2 })
    const listed = await json<ApiToken[]>(
      await request('GET', '/api/v1/auth/tokens', { token: created.accessToken }),
      200,
    )
    expect(listed.map((token) => [token.id, token.lastUsedAt === null])).toEqual([[minted.id, false]])

    // Revoked, the flow stops at its first request.
    const revoked = await request('DELETE', `/api/v1/auth/tokens/${minted.id}`, { token: created.accessToken })
    expect(revoked.status).toBe(204)
    await expect(
      coreFlow({ baseUrl: baseUrl(), apiToken: minted.token, fetch: (request) => checkedFetch(request) }),
    ).rejects.toThrow(/^read the token’s user: HTTP 401 .*E_AUTH_TOKEN_INVALID/)
  })

  it('runs as a consumer runs it: `node examples/client.ts <baseUrl>`', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'examples', 'client.ts'), baseUrl()], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain('moved')
    expect(run.stdout).toContain('example client: core flow done')
  })
})

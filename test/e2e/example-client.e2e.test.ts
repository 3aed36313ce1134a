import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { coreFlow } from '../../examples/client'
import { baseUrl, checkedFetch, expectError, json, login, request, uniqueEmail } from './client'

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

import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { coreFlow } from '../../examples/client'
import { baseUrl, checkedFetch } from './client'

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

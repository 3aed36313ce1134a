import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXPORTED_PATH, exportedDocument } from '../../scripts/export-openapi'
import { servedDocument } from './client'
import { createConformance } from './conformance'

const ROOT = join(import.meta.dirname, '..', '..')

describe('the OpenAPI document as wrangler dev serves it', () => {
  it('passes `redocly lint` (recommended ruleset, redocly.yaml) with no error and no warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ticketing-lint-'))
    try {
      // Linted exactly as served (the same bytes); a file, so the report names no random port.
      const file = join(dir, 'openapi.json')
      writeFileSync(file, JSON.stringify(await servedDocument(), null, 2))
      const lint = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'redocly'),
        ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          timeout: 60_000,
        },
      )
      const report = JSON.parse(lint.stdout) as {
        totals: { errors: number; warnings: number }
        problems: { ruleId: string; message: string; location: { pointer: string }[] }[]
      }
      const problems = report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)
      expect(problems).toEqual([])
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
      expect(lint.status).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is what the committed openapi.json holds (else run `npm run openapi`)', async () => {
    const committed = JSON.parse(readFileSync(EXPORTED_PATH, 'utf8'))
    expect(committed).toEqual(exportedDocument(await servedDocument()))
  })
})

describe('the conformance check every e2e response goes through', () => {
  const response = (method: string, path: string, status: number, body?: unknown, headers: HeadersInit = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body)
    const all = new Headers(headers)
    if (body !== undefined && !all.has('Content-Type')) all.set('Content-Type', 'application/json')
    return { method, url: `http://api.test${path}`, status, headers: all, text: async () => text }
  }
  const error = { error: 'E_NOT_FOUND', message: 'Not found', details: {} }
  const ticketId = crypto.randomUUID()

  it('accepts what the document declares', async () => {
    const { check } = createConformance(await servedDocument())
    expect(await check(response('GET', '/health', 200, { status: 'ok' }))).toEqual([])
    expect(
      await check(response('GET', `/api/v1/tickets/${ticketId}`, 404, { ...error, error: 'E_TICKET_NOT_FOUND' })),
    ).toEqual([])
    expect(await check(response('DELETE', `/api/v1/tickets/${ticketId}`, 204))).toEqual([])
    expect(await check(response('GET', '/api/v1/nowhere', 404, error))).toEqual([])
    const allow = { Allow: 'POST' }
    expect(
      await check(response('PUT', '/api/v1/auth/login', 405, { ...error, error: 'E_METHOD_NOT_ALLOWED' }, allow)),
    ).toEqual([])
  })

  it('fails a status, a body, a property, a content type or a route that the document does not declare', async () => {
    const { check } = createConformance(await servedDocument())
    const failures = [
      response('GET', '/health', 201, { status: 'ok' }),
      response('GET', '/health', 200, { status: 'fine' }),
      response('GET', '/health', 200, { status: 'ok', uptime: 3 }),
      response('GET', '/health', 200, 'ok', { 'Content-Type': 'text/plain' }),
      response('GET', `/api/v1/tickets/${ticketId}`, 404, { error: 'E_TICKET_NOT_FOUND' }),
      response('GET', '/api/v1/tickets', 200, [], { 'X-Total-Count': 'many' }),
      response('GET', '/api/v1/nowhere', 200, { status: 'ok' }),
      response('PUT', '/api/v1/auth/login', 405, { ...error, error: 'E_METHOD_NOT_ALLOWED' }, { Allow: 'GET, POST' }),
    ]
    for (const failure of failures) {
      expect(await check(failure), `${failure.method} ${failure.url} ${failure.status}`).not.toEqual([])
    }
  })
})

/**
 * Property-based conformance: the OpenAPI document tells the whole truth. For every operation in
 * the document `wrangler dev` serves, requests are generated from the document as a consumer
 * would build them (path, query and header parameters and JSON bodies from their schemas, patterns
 * and formats included), with a fixed seed and a bounded count, and sent over HTTP:
 *
 * 1. a request the document calls valid never gets 422 and never a 5xx;
 * 2. a request that breaks the document in one named way (a required field left out, a wrong
 *    type, an unknown property under `additionalProperties: false`, a string over `maxLength`, an
 *    integer out of range, a malformed parameter, an undeclared media type) gets a 4xx in the error
 *    envelope `{error, message, details}`;
 * 3. every answer conforms to the operation's declared statuses and schemas (conformance.ts).
 *
 * Each request, once resolved, is first held to the document by Ajv (property-requests.ts's
 * oracle): a "valid" one that the document refuses, or a "broken" one it accepts, is a bug of this
 * test and fails it loudly rather than blaming the server. Valid list answers with a
 * `Link: rel="next"` are followed once, since a consumer never invents a `cursor`.
 *
 * Why fast-check (not json-schema-faker): it is seedable and replayable by design (one `seed` per
 * sample, no global `Math.random`), and its arbitraries compose, so the breaking half of the test is
 * built from the same generators as the valid half; it generates from the document's `pattern`s
 * (`fc.stringMatching`: project and ticket keys, media types, Idempotency-Key) and has RFC-grounded
 * `uuid`, `emailAddress`, `webUrl` and `date` arbitraries for its formats; it leans towards edge
 * cases; it is one small dependency (pure-rand) with its own types. The document's `$ref`s are all
 * local and `allOf` only adds a description, which property-schemas.ts resolves in a few lines.
 *
 * PROPERTY_SEED (default 20261126) and PROPERTY_RUNS (valid and broken requests per operation,
 * default 8) can be set; a failure prints the command that replays it. PROPERTY_REPORT=<file>
 * writes every disagreement to a file, PROPERTY_TRACE=<file> one line per exchange.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { servedDocument } from './client'
import { createConformance } from './conformance'
import { SchemaBreaks } from './property-breaks'
import { createFixtures, type Fixtures } from './property-fixtures'
import { operationsOf } from './property-operations'
import { type Plan, Planner, SPECIAL_OPERATIONS } from './property-requests'
import { SchemaArbitraries } from './property-schemas'
import { type Exchange, Sender } from './property-send'

const SEED = Number(process.env.PROPERTY_SEED ?? 20261126)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 8)
if (!Number.isSafeInteger(SEED) || !Number.isSafeInteger(RUNS) || RUNS < 1) {
  throw new Error('PROPERTY_SEED must be an integer and PROPERTY_RUNS a positive integer')
}
const REPLAY = `PROPERTY_SEED=${SEED} npx vitest run --config vitest.e2e.config.ts test/e2e/property.e2e.test.ts`

const document = await servedDocument()
const conformance = createConformance(document)
const operations = operationsOf(document)
let fixtures: Fixtures
let planner: Planner
let sender: Sender
const tally = { requests: 0, started: 0, disagreements: [] as string[] }

/** One seed per operation, from the run's seed and the operationId, so operations do not shift each other. */
function seedFor(operationId: string) {
  let hash = 0x811c9dc5
  for (const char of operationId) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193)
  return (hash ^ SEED) | 0
}

/** Cut short for reports, with JWTs (a login's or refresh's answer) replaced by `<jwt>`. */
const clip = (text: string, max = 400) => {
  const shown = text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
  return shown.length > max ? `${shown.slice(0, max)}… (${shown.length} chars)` : shown
}

function isEnvelope(text: string) {
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    return (
      typeof body.error === 'string' &&
      typeof body.message === 'string' &&
      typeof body.details === 'object' &&
      body.details !== null
    )
  } catch {
    return false
  }
}

function report(plan: Plan, exchange: Exchange, problems: string[], note = '') {
  const shown = Object.entries(exchange.headers).filter(([name]) => !/^(authorization|sec-websocket-key)$/i.test(name))
  const url = new URL(exchange.shownUrl)
  return [
    `${plan.valid ? 'valid' : `broken (${plan.why})`}${note}: ${exchange.method} ${url.pathname}${url.search} as ${plan.as}`,
    ...(shown.length > 0 ? [`  headers ${JSON.stringify(Object.fromEntries(shown))}`] : []),
    ...(exchange.body !== undefined ? [`  body ${clip(exchange.body)}`] : []),
    `  → ${exchange.status} ${clip(exchange.text)}`,
    ...problems.map((problem) => `  ✗ ${problem}`),
  ].join('\n')
}

/** The disagreements one exchange shows; throws on a bug of the test itself. */
async function judge(plan: Plan, exchange: Exchange, note = ''): Promise<string[]> {
  tally.requests++
  const { status, text } = exchange
  if (process.env.PROPERTY_TRACE) {
    const line = `${plan.operation.operationId} ${plan.valid ? 'valid' : `broken (${plan.why})`}${note} as ${plan.as} → ${status}`
    appendFileSync(process.env.PROPERTY_TRACE, `${clip(line, 300)}\n`)
  }
  const problems: string[] = []
  if (plan.valid && exchange.problems.length > 0) {
    // Only the signed routes send what the API handed out; anything else is the generator's fault.
    if (!plan.signed)
      throw new Error(`test bug: a generated valid request breaks the document: ${exchange.problems.join('; ')}`)
    problems.push(`the signed URL the API handed out breaks the document: ${exchange.problems.join('; ')}`)
  }
  if (!plan.valid && exchange.problems.length === 0)
    throw new Error(`test bug: the broken request (${plan.why}) is valid per the document`)
  if (plan.valid && status === 422) problems.push('a request the document calls valid was refused with 422')
  if (status >= 500) problems.push(`answered ${status}`)
  if (!plan.valid && (status < 400 || status >= 500))
    problems.push(`a request that breaks the document was answered ${status}, not 4xx`)
  if (!plan.valid && status >= 400 && status < 500 && !isEnvelope(text))
    problems.push('the 4xx answer is not the error envelope')
  const headers = exchange.responseHeaders
  problems.push(
    ...(await conformance.check({
      method: exchange.method,
      url: exchange.url,
      status,
      headers,
      text: async () => text,
    })),
  )
  const found = problems.length > 0 ? [report(plan, exchange, problems, note)] : []
  const next = /<([^>]+)>;\s*rel="next"/.exec(headers.get('Link') ?? '')?.[1]
  if (plan.valid && next && !note)
    found.push(...(await judge(plan, await sender.follow(plan, next), ' (following its Link rel="next")')))
  return found
}

beforeAll(async () => {
  tally.started = Date.now()
  fixtures = await createFixtures(RUNS)
  const tools = new SchemaArbitraries(document, fixtures.references)
  planner = new Planner(tools, new SchemaBreaks(tools), fixtures)
  sender = new Sender(fixtures, tools)
})

afterAll(async () => {
  await fixtures?.cleanup()
  const seconds = ((Date.now() - tally.started) / 1000).toFixed(1)
  console.log(
    `property: seed ${SEED}, ${RUNS} valid and ${RUNS} broken requests per operation: ${tally.requests} requests, ${tally.disagreements.length} disagreements, ${seconds} s`,
  )
  if (process.env.PROPERTY_REPORT) writeFileSync(process.env.PROPERTY_REPORT, tally.disagreements.join('\n\n'))
})

describe('every operation of the served OpenAPI document, with generated requests', () => {
  it('treats specially only operations the document has (a renamed one would lose its special case)', () => {
    const ids = new Set(operations.map((op) => op.operationId))
    expect(SPECIAL_OPERATIONS.filter((id) => !ids.has(id))).toEqual([])
  })

  for (const op of operations) {
    it(`${op.operationId}: ${op.method} ${op.template}`, async () => {
      const seed = seedFor(op.operationId)
      const plans = fc.sample(planner.valid(op), { seed, numRuns: RUNS })
      // Operations with no parameter and no body (health, JWKS, me, the reports without
      // parameters) have nothing a request could break: they get valid requests only.
      const broken = planner.invalid(op)
      if (broken) plans.push(...fc.sample(broken, { seed: (seed + 1) | 0, numRuns: RUNS }))
      const found: string[] = []
      for (const plan of plans) found.push(...(await judge(plan, await sender.send(plan))))
      tally.disagreements.push(...found.map((entry) => `${op.operationId}\n${entry}`))
      if (found.length > 0) {
        throw new Error(
          `${op.operationId}: ${found.length} of ${plans.length} generated requests disagree with the document (seed ${SEED}; replay: ${REPLAY} -t '${op.operationId}: ')\n\n${found.join('\n\n')}`,
        )
      }
    })
  }
})

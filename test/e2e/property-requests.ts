/**
 * Requests generated from the OpenAPI document, as a consumer would build them, for the
 * property-based conformance test: for each operation, fast-check arbitraries of plans that the
 * document calls valid and of plans that break it in exactly one named way. The special cases
 * (which ids fill path parameters, who authenticates, the signed URLs, the WebSocket, the cursor)
 * are each explained where they are decided.
 */
import fc from 'fast-check'
import type { SchemaBreaks } from './property-breaks'
import type { OperationInfo, Parameter } from './property-operations'
import { accept, asText, type Broken, FIELD_VALUE, type References, type SchemaArbitraries } from './property-schemas'

export type Identity = 'admin' | 'user' | 'none' | 'throwaway'

/** One generated request, before the values only known when it is sent are filled in. */
export interface Plan {
  operation: OperationInfo
  valid: boolean
  /** For a broken plan: what was broken. */
  why?: string
  as: Identity
  /** Path and query values; on the signed routes, overrides of the real signed URL's values. */
  path: Record<string, string>
  query: [string, string][]
  /** Query parameters left out (of the signed URL, or a required one of a generated request). */
  omit: string[]
  headers: Record<string, string>
  body?: unknown
  contentType?: string
  signed?: { kind: 'upload' | 'download'; type: string; size: number }
  socket?: { upgrade: boolean; tokenIn: 'header' | 'query' | 'generated'; generated: string }
}

/** What the fixtures provide to fill requests with things that exist. */
export interface Pools {
  /** Path parameter name → ids of existing things, for reads and updates. */
  existing: References
  /** Path parameter name → ids of things that DELETE (and `PUT /users/{userId}`) may use up. */
  doomed: References
  /** Body property and query parameter name → ids of existing things (`assigneeIds`, `project_id`, …). */
  references: References
  login: { email: string; password: string }
}

/** Filled in when sent: the next refresh token of a chain, and the logging-out session's own. */
export const REFRESH_TOKEN = '<a live refresh token>'
export const OWN_REFRESH_TOKEN = '<the session’s own refresh token>'

// Every DELETE, and changing a user (password, role, `active: false`), uses up throwaway objects
// made in setup: never the admin, the registered user or any session the run still needs.
const DOOMED = new Set(['updateUser'])
const uses = (op: OperationInfo) => (op.method === 'DELETE' || DOOMED.has(op.operationId) ? 'doomed' : 'existing')
// Notifications belong to their user: the registered user is the one the setup made them for.
const AS_USER = new Set(['listNotifications', 'markNotificationRead'])
// The signed routes are authorised by the HMAC signature in their query: generated values would
// only earn 403, so valid requests start from a real URL the API handed out (see property-send.ts).
const SIGNED: Record<string, 'upload' | 'download'> = { uploadFile: 'upload', downloadFile: 'download' }
/** The operations treated specially here and in property-send.ts (the test checks they all exist). */
export const SPECIAL_OPERATIONS = [
  ...DOOMED,
  ...AS_USER,
  ...Object.keys(SIGNED),
  'login',
  'refreshTokens',
  'logout',
  'subscribeToEvents',
  'createUploadUrl',
  'getAttachment',
]
/** Media types a JSON body may be sent with by mistake; one the body does not declare is a break (415 expected). */
const UNDECLARED_MEDIA_TYPES = ['text/plain', 'application/merge-patch+json', 'application/x-www-form-urlencoded']
const UPLOAD_TYPES = ['text/plain', 'image/png', 'application/pdf']

export class Planner {
  constructor(
    private readonly tools: SchemaArbitraries,
    private readonly breaks: SchemaBreaks,
    private readonly pools: Pools,
  ) {}

  /** Requests the document calls valid. */
  valid(op: OperationInfo): fc.Arbitrary<Plan> {
    const signed = SIGNED[op.operationId]
    return fc
      .record({
        as: this.identity(op, true),
        path: signed ? fc.constant({}) : this.pathValues(op),
        query: signed ? fc.constant({}) : this.queryValues(op),
        // On a signed URL the document lets a consumer leave out the optional parameters (`expires`).
        omit: signed
          ? fc.subarray(
              this.params(op, 'query')
                .filter((p) => !p.required)
                .map((p) => p.name),
            )
          : fc.constant<string[]>([]),
        headers: this.headerValues(op),
        body: this.bodyValue(op),
        signed: signed
          ? fc.record({
              kind: fc.constant(signed),
              type: fc.constantFrom(...UPLOAD_TYPES),
              size: fc.integer({ min: 1, max: 4096 }),
            })
          : fc.constant(undefined),
        socket: op.operationId === 'subscribeToEvents' ? this.socket(op) : fc.constant(undefined),
      })
      .map((r) => ({ ...r, operation: op, valid: true, query: Object.entries(r.query) }))
  }

  /** Requests that break the document in one way; undefined when the operation has nothing to break. */
  invalid(op: OperationInfo): fc.Arbitrary<Plan> | undefined {
    // Breaking a schema weighs most; leaving a required thing out and an undeclared media type less.
    const breakers: fc.WeightedArbitrary<(plan: Plan) => Plan>[] = []
    const add = (weight: number, arbitrary: fc.Arbitrary<(plan: Plan) => Plan>) => breakers.push({ weight, arbitrary })
    for (const p of op.parameters) {
      // A path segment cannot be empty (that is another route), and a header value must be one
      // HTTP can carry: breaks that cannot travel are not requests a consumer could send.
      const travels = (b: Broken) =>
        p.in === 'path' ? b.value !== '' : p.in === 'header' ? FIELD_VALUE.test(String(b.value)) : true
      const broken = this.breaks.invalidText(p.schema, `${p.in} ${p.name}`)?.filter(accept(travels, `a ${p.in} break`))
      if (broken && p.in === 'path')
        add(
          2,
          broken.map((b) => (plan) => ({ ...plan, why: b.why, path: { ...plan.path, [p.name]: String(b.value) } })),
        )
      if (broken && p.in === 'query') {
        add(
          2,
          broken.map((b) => (plan) => ({
            ...plan,
            why: b.why,
            query: [...plan.query.filter(([name]) => name !== p.name), [p.name, String(b.value)]],
          })),
        )
      }
      if (broken && p.in === 'header')
        add(
          2,
          broken.map((b) => (plan) => ({
            ...plan,
            why: b.why,
            headers: { ...plan.headers, [p.name]: String(b.value) },
          })),
        )
      if (p.required && p.in === 'query') {
        add(
          1,
          fc.constant((plan: Plan) => ({
            ...plan,
            why: `query ${p.name}: required, left out`,
            query: plan.query.filter(([name]) => name !== p.name),
            omit: [p.name],
          })),
        )
      }
    }
    if (op.body && !op.body.binary) {
      const broken = this.breaks.invalid(op.body.schema, 'body')
      if (broken)
        add(
          6,
          broken.map((b) => (plan) => ({ ...plan, why: b.why, body: b.value })),
        )
      if (op.body.required)
        add(
          1,
          fc.constant((plan: Plan) => ({
            ...plan,
            why: 'body: required, left out',
            body: undefined,
          })),
        )
      const undeclared = UNDECLARED_MEDIA_TYPES.filter((type) => !op.body?.mediaTypes.includes(type))
      add(
        1,
        fc.constantFrom(...undeclared).map((type) => (plan: Plan) => ({
          ...plan,
          why: `Content-Type ${type}: not a media type the document declares for this body`,
          contentType: type,
          body: plan.body ?? {},
        })),
      )
    }
    if (breakers.length === 0) return undefined
    const base = this.valid(op).chain((plan) =>
      this.identity(op, false).map((as): Plan => {
        const socket = plan.socket && { ...plan.socket, upgrade: true, tokenIn: 'header' as const }
        return { ...plan, as, omit: [], socket }
      }),
    )
    return fc.tuple(base, fc.oneof(...breakers)).map(([plan, breaker]) => ({ ...breaker(plan), valid: false }))
  }

  private params(op: OperationInfo, where: Parameter['in']) {
    return op.parameters.filter((p) => p.in === where)
  }

  // Public operations go without a token; logout runs on a throwaway session (it revokes it);
  // the rest run mostly as the admin (the widest rights), sometimes as the registered user.
  // Broken requests run as the admin, so that a refusal is about the request, not the caller.
  private identity(op: OperationInfo, valid: boolean): fc.Arbitrary<Identity> {
    if (op.public) return fc.constant('none')
    if (op.operationId === 'logout') return fc.constant('throwaway')
    if (AS_USER.has(op.operationId)) return fc.constant('user')
    if (!valid) return fc.constant('admin')
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant('admin' as const) },
      { weight: 1, arbitrary: fc.constant('user' as const) },
    )
  }

  // Path parameters that name things: mostly the ids of things made in setup, sometimes any value
  // the schema allows (a random UUID: 404 is a fine answer to a valid request, 422 is not).
  private pathValues(op: OperationInfo) {
    const pools = this.pools[uses(op)]
    const model: Record<string, fc.Arbitrary<string>> = {}
    for (const p of this.params(op, 'path')) {
      const generated = this.tools.valid(p.schema).map(asText)
      const known = pools[p.name] ?? []
      model[p.name] =
        known.length > 0
          ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: generated })
          : generated
    }
    return fc.record(model)
  }

  // `cursor` is an opaque token the server issues: a valid request leaves it out, and the test
  // follows the `Link: rel="next"` of every valid answer instead (property.e2e.test.ts). On the
  // WebSocket route `access_token` is decided by `socket()`.
  private queryValues(op: OperationInfo) {
    const params = this.params(op, 'query').filter((p) => p.name !== 'cursor' && p.name !== 'access_token')
    const model = Object.fromEntries(params.map((p) => [p.name, this.tools.valid(p.schema, p.name).map(asText)]))
    const required = params.filter((p) => p.required).map((p) => p.name)
    return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, string>>
  }

  private headerValues(op: OperationInfo) {
    const params = this.params(op, 'header')
    const model = Object.fromEntries(params.map((p) => [p.name, this.tools.validHeader(p.schema, p.name)]))
    const required = params.filter((p) => p.required).map((p) => p.name)
    return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, string>>
  }

  // Bodies from the schema, plus what only fixtures can give: a login that succeeds, a refresh
  // token that is live, a logout that names its own refresh token.
  private bodyValue(op: OperationInfo): fc.Arbitrary<unknown> {
    if (!op.body || op.body.binary) return fc.constant(undefined)
    const generated = this.tools.valid(op.body.schema)
    const known: Record<string, unknown> = {
      login: this.pools.login,
      refreshTokens: { refreshToken: REFRESH_TOKEN },
      logout: { refreshToken: OWN_REFRESH_TOKEN },
    }
    const value = op.operationId in known ? fc.oneof(generated, fc.constant(known[op.operationId])) : generated
    return op.body.required ? value : fc.option(value, { nil: undefined })
  }

  // The WebSocket route answers 101 only to `Upgrade: websocket`, so valid requests mostly ask for
  // it (without it, 426 is the documented answer). The token goes in `Authorization`, in
  // `?access_token=` (the caller's own), or is a generated `access_token` (401).
  private socket(op: OperationInfo) {
    const param = this.params(op, 'query').find((p) => p.name === 'access_token')
    return fc.record({
      upgrade: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      tokenIn: fc.constantFrom('header' as const, 'query' as const, 'generated' as const),
      generated: param ? this.tools.valid(param.schema).map(asText) : fc.constant(''),
    })
  }
}

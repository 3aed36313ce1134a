/**
 * Response conformance: every response the end-to-end suite receives is checked against what the
 * OpenAPI document (as the Worker serves it) declares for its operation and status.
 *
 * - The operation is found by path template and method, the response by exact status (then `4XX`,
 *   then `default`): a status the document does not list is a mismatch.
 * - The `Content-Type` must be one of the media types declared for that response (ranges such as
 *   `image/*` match); a response declared without content must have no body.
 * - A JSON body must validate against the declared schema (JSON Schema 2020-12 through Ajv, `$ref`s
 *   resolved to `components`). Objects are closed for the check: a property the document does not
 *   declare is a mismatch too, because a client generated from the document cannot see it.
 * - A declared header that is present must match its schema's type.
 * - A request outside the document (no such path, or no such method on that path) may only be
 *   answered 404 `E_NOT_FOUND` or 405 `E_METHOD_NOT_ALLOWED` (with `Allow` naming exactly the
 *   documented methods), in the error envelope.
 * - The pages for people (`/docs`, `/redoc`, their `/static` assets) and the document itself are
 *   served next to the API but are not part of it, so they are not checked; nor are CORS
 *   preflights, which the CORS layer answers on every path.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020'
import addFormats from 'ajv-formats'

type Schema = { [key: string]: unknown }
interface ResponseObject {
  description: string
  headers?: Record<string, { schema?: Schema }>
  content?: Record<string, { schema?: Schema }>
}
interface Operation {
  operationId?: string
  responses: Record<string, ResponseObject>
}
export interface OpenApiDocument {
  openapi: string
  tags?: { name: string; description?: string }[]
  servers?: { url: string; description?: string }[]
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']
const NOT_API = [/^\/openapi\.json$/, /^\/docs$/, /^\/redoc$/, /^\/static\//]
const DOCUMENT_ID = 'https://ticketing-api.invalid/openapi.json'

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const mediaTypeOf = (header: string | null) => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
const isJson = (mediaType: string) => /^application\/([\w.-]+\+)?json$/.test(mediaType)
const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

function mediaTypeMatches(actual: string, declared: string) {
  if (declared === '*/*') return true
  if (declared.endsWith('/*')) return actual.startsWith(declared.slice(0, -1))
  return actual === declared.toLowerCase()
}

/**
 * A copy of the document whose object schemas reject undeclared properties. `unevaluatedProperties`
 * (rather than `additionalProperties`) sees through `allOf`, `anyOf` and `$ref`; the branches of an
 * `allOf` are left open (with referenced components inlined) so that only the whole is closed.
 */
function closeObjects(document: OpenApiDocument): OpenApiDocument {
  const components = document.components?.schemas ?? {}
  const inline = (schema: unknown): unknown => {
    if (!isObject(schema) || typeof schema.$ref !== 'string') return schema
    const name = schema.$ref.replace('#/components/schemas/', '')
    const { $ref: _, ...rest } = schema
    return { ...(components[name] ?? {}), ...rest }
  }
  const close = (schema: unknown, open = false): unknown => {
    if (Array.isArray(schema)) return schema.map((item) => close(item))
    if (!isObject(schema)) return schema
    const out: Schema = { ...schema }
    if (isObject(schema.properties)) {
      out.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, close(value)]))
    }
    for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains']) {
      if (isObject(schema[key])) out[key] = close(schema[key])
    }
    for (const key of ['anyOf', 'oneOf', 'prefixItems']) {
      if (Array.isArray(schema[key])) out[key] = (schema[key] as unknown[]).map((item) => close(item, open))
    }
    if (Array.isArray(schema.allOf)) out.allOf = schema.allOf.map((branch) => close(inline(branch), true))
    const objectLike = isObject(schema.properties) || Array.isArray(schema.allOf)
    if (
      objectLike &&
      !open &&
      schema.additionalProperties === undefined &&
      schema.unevaluatedProperties === undefined
    ) {
      out.unevaluatedProperties = false
    }
    return out
  }
  const closedComponents = Object.fromEntries(
    Object.entries(components).map(([name, schema]) => [name, close(schema) as Schema]),
  )
  const paths: OpenApiDocument['paths'] = {}
  for (const [path, operations] of Object.entries(document.paths)) {
    paths[path] = {}
    for (const [method, operation] of Object.entries(operations)) {
      if (!isObject(operation) || !isObject(operation.responses)) continue
      const responses: Record<string, ResponseObject> = {}
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = Object.fromEntries(
          Object.entries(response.content ?? {}).map(([type, media]) => [
            type,
            { schema: close(media.schema) as Schema },
          ]),
        )
        responses[status] = { ...response, content }
      }
      paths[path][method] = { ...operation, responses }
    }
  }
  return { ...document, paths, components: { ...document.components, schemas: closedComponents } }
}

export interface ReceivedResponse {
  method: string
  url: string
  status: number
  headers: Headers
  /** The body as text; read only when the document declares JSON for the response. */
  text: () => Promise<string>
}

export interface Conformance {
  /** The mismatches between a response and the document; empty when it conforms. */
  check: (response: ReceivedResponse) => Promise<string[]>
}

export function createConformance(document: OpenApiDocument): Conformance {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false })
  addFormats(ajv)
  ajv.addSchema({ ...closeObjects(document), $id: DOCUMENT_ID })
  const validators = new Map<string, ValidateFunction>()
  const validator = (ref: string) => {
    let validate = validators.get(ref)
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${ref}` })
      validators.set(ref, validate)
    }
    return validate
  }
  const templates = Object.keys(document.paths).map((template) => ({ template, segments: template.split('/') }))

  /** The template that matches the path, preferring literal segments (`/tickets/my` over `/tickets/{ticketId}`). */
  const templateFor = (path: string) => {
    const segments = path.split('/')
    let best: { template: string; literals: number } | undefined
    for (const candidate of templates) {
      if (candidate.segments.length !== segments.length) continue
      let literals = 0
      const matches = candidate.segments.every((segment, i) => {
        if (/^\{[^}]+\}$/.test(segment)) return (segments[i] ?? '') !== ''
        literals++
        return segment === segments[i]
      })
      if (matches && (!best || literals > best.literals)) best = { template: candidate.template, literals }
    }
    return best?.template
  }

  const validateJson = async (received: ReceivedResponse, ref: string, where: string) => {
    const text = await received.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return [`${where}: the body is not JSON: ${text.slice(0, 200)}`]
    }
    const validate = validator(ref)
    if (validate(body)) return []
    return (validate.errors ?? []).map(
      (error) =>
        `${where}: body${error.instancePath || ''} ${error.message}${
          error.keyword === 'unevaluatedProperties' ? ` (${JSON.stringify(error.params)})` : ''
        } [schema ${error.schemaPath}]`,
    )
  }

  const outsideDocument = async (received: ReceivedResponse, path: string, template: string | undefined) => {
    const where = `${received.method} ${path} → ${received.status}`
    const errorSchema = pointer('', 'components', 'schemas', 'Error')
    if (!template) {
      if (received.status !== 404) return [`${where}: the path is not in the document, yet the answer is not 404`]
      return validateJson(received, errorSchema, where)
    }
    const documented = Object.keys(document.paths[template] ?? {})
      .filter((method) => METHODS.includes(method))
      .map((method) => method.toUpperCase())
    if (received.status !== 405) {
      return [`${where}: ${template} documents only ${documented.join(', ')}, yet the answer is not 405`]
    }
    const problems = await validateJson(received, errorSchema, where)
    const allowed = (received.headers.get('Allow') ?? '').split(/,\s*/).filter(Boolean).sort()
    const expected = [...documented, ...(documented.includes('GET') ? ['HEAD'] : [])].sort()
    if (allowed.join() !== expected.join()) {
      problems.push(`${where}: Allow is ${allowed.join(', ')}, the document has ${expected.join(', ')}`)
    }
    return problems
  }

  const check = async (received: ReceivedResponse) => {
    const url = new URL(received.url)
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname
    if (NOT_API.some((pattern) => pattern.test(path))) return []
    const method = received.method.toLowerCase()
    // A CORS preflight is answered by the CORS layer on every path, outside the document.
    if (method === 'options' && received.headers.has('Access-Control-Allow-Methods')) return []
    const template = templateFor(path)
    const operation = template ? document.paths[template]?.[method] : undefined
    if (!template || !operation) return outsideDocument(received, path, template)

    const status = String(received.status)
    const statusKey = [status, `${status[0]}XX`, 'default'].find((key) => operation.responses[key])
    const where = `${received.method.toUpperCase()} ${template} (${operation.operationId}) → ${status}`
    if (!statusKey) {
      return [`${where}: status not in the document (documented: ${Object.keys(operation.responses).join(', ')})`]
    }
    const response = operation.responses[statusKey] as ResponseObject
    const problems: string[] = []

    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = received.headers.get(name)
      if (value === null || !header.schema) continue
      if (header.schema.type === 'integer' && !/^-?\d+$/.test(value)) {
        problems.push(`${where}: header ${name} is "${value}", not an integer`)
      }
    }

    const declared = Object.keys(response.content ?? {})
    const actualType = mediaTypeOf(received.headers.get('Content-Type'))
    const noBody = received.status === 204 || received.status === 304 || method === 'head'
    if (declared.length === 0) {
      if (!noBody && (actualType !== '' || (await received.text()) !== '')) {
        problems.push(`${where}: the document declares no body, yet one came (${actualType || 'no Content-Type'})`)
      }
      return problems
    }
    if (noBody) return problems
    const mediaType = declared.find((candidate) => mediaTypeMatches(actualType, candidate))
    if (!mediaType) {
      problems.push(
        `${where}: Content-Type ${actualType || '(none)'} is not declared (declared: ${declared.join(', ')})`,
      )
      return problems
    }
    if (!isJson(mediaType) || !response.content?.[mediaType]?.schema) return problems
    const ref = pointer('', 'paths', template, method, 'responses', statusKey, 'content', mediaType, 'schema')
    problems.push(...(await validateJson(received, ref, where)))
    return problems
  }

  return { check }
}

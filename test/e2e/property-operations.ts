/**
 * The operations of the OpenAPI document as the property-based conformance test sees them
 * (`operationsOf`: method, path template, parameters, body, public or not), and the oracle that
 * says whether a request, exactly as sent, is one the document calls valid (`requestProblems`).
 */
import type { OpenApiDocument } from './conformance'
import { parseText, type Schema, type SchemaArbitraries } from './property-schemas'

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required: boolean
  schema: Schema
}
export interface OperationInfo {
  operationId: string
  method: string
  template: string
  parameters: Parameter[]
  /** The body: its schema and declared media types; `binary` when it is not JSON (the upload's bytes). */
  body?: { required: boolean; schema: unknown; binary: boolean; mediaTypes: string[] }
  public: boolean
}

export function operationsOf(document: OpenApiDocument): OperationInfo[] {
  const out: OperationInfo[] = []
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(operations)) {
      const operation = raw as unknown as {
        operationId: string
        parameters?: Parameter[]
        requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> }
        security?: unknown[]
      }
      const content = operation.requestBody?.content ?? {}
      const json = content['application/json']
      const body = operation.requestBody
        ? {
            required: operation.requestBody.required === true,
            schema: json?.schema ?? content['*/*']?.schema,
            binary: !json,
            mediaTypes: Object.keys(content),
          }
        : undefined
      const isPublic = Array.isArray(operation.security) && operation.security.length === 0
      const parameters = (operation.parameters ?? []).map((p) => ({ ...p, required: p.required === true }))
      out.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        template,
        parameters,
        body,
        public: isPublic,
      })
    }
  }
  return out
}

/** A request as sent, for the oracle: path values by name, query, headers, body text. */
export interface Sent {
  path: Record<string, string>
  query: URLSearchParams
  headers: Headers
  body?: string
  contentType?: string
}

/** How a request, as sent, breaks the document; empty when the document calls it valid. */
export function requestProblems(tools: SchemaArbitraries, op: OperationInfo, sent: Sent): string[] {
  const problems: string[] = []
  for (const p of op.parameters) {
    const value =
      p.in === 'path' ? sent.path[p.name] : p.in === 'query' ? sent.query.get(p.name) : sent.headers.get(p.name)
    if (value === undefined || value === null) {
      if (p.required) problems.push(`${p.in} ${p.name}: required, missing`)
      continue
    }
    if (!tools.isValid(p.schema, parseText(tools.resolve(p.schema), value)))
      problems.push(`${p.in} ${p.name}=${JSON.stringify(value)}: breaks its schema`)
  }
  if (op.body && !op.body.binary) {
    if (sent.body === undefined) {
      if (op.body.required) problems.push('body: required, missing')
    } else if (!op.body.mediaTypes.includes((sent.contentType ?? '').split(';')[0] ?? '')) {
      problems.push(`Content-Type ${sent.contentType}: not declared`)
    } else if (!tools.isValid(op.body.schema, JSON.parse(sent.body))) {
      problems.push('body: breaks its schema')
    }
  }
  return problems
}

/** The values of a template's path parameters in a concrete path. */
export function pathValuesOf(template: string, pathname: string): Record<string, string> {
  const names = template.split('/')
  const values = pathname.split('/')
  const out: Record<string, string> = {}
  names.forEach((segment, i) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1]
    if (name) out[name] = decodeURIComponent(values[i] ?? '')
  })
  return out
}

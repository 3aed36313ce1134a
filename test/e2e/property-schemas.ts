/**
 * Schemas → fast-check arbitraries for the property-based conformance test: values that the
 * OpenAPI document calls valid (`valid`, `validHeader`), and the oracle every generated value is
 * held to (`isValid`: Ajv over the document, the validator conformance.ts uses). Breaking values
 * are property-breaks.ts's. Only the JSON Schema subset the document uses is covered: `$ref`,
 * `allOf` (a reference plus a description), `anyOf`, `enum`, `type` (also as a list), the object,
 * array, string, integer, number, boolean and null keywords, `pattern`, and the formats `uuid`,
 * `email`, `date-time` and `uri`.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import fc from 'fast-check'
import type { OpenApiDocument } from './conformance'

export type Schema = { [key: string]: unknown }
/** A value that breaks its schema, and how (`body.title: longer than maxLength 200`). */
export interface Broken {
  value: unknown
  why: string
}
/** Ids of things that exist, by the name of the property or parameter that holds such an id. */
export type References = Record<string, readonly string[]>

const DOCUMENT_ID = 'https://ticketing-api.invalid/property-openapi.json'
/** Integers are drawn from the 32-bit range (clipped to the schema's bounds); fast-check biases them small. */
const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1
/** Typical strings stay short; one branch of `text` still reaches `maxLength` exactly. */
const TYPICAL_LENGTH = 40
/** Dates whose ISO form has a four-digit year (`date-time` has no room for ±YYYYYY). */
const EPOCH = new Date('1970-01-01T00:00:00Z')
const Y3K = new Date('2999-12-31T23:59:59Z')

/**
 * A filter predicate that gives up loudly: fast-check retries a filter without limit, and a schema
 * whose generator almost never satisfies it (a pattern fast-check cannot generate from, say) would
 * hang the run in synchronous code where no timeout can reach it.
 */
let rejections = 0
export function accept<T>(predicate: (value: T) => boolean, what: string) {
  return (value: T) => {
    if (predicate(value)) {
      rejections = 0
      return true
    }
    if (++rejections > 20_000)
      throw new Error(`test bug: cannot generate ${what} (20,000 candidates rejected in a row)`)
    return false
  }
}

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const codePoint = (min: number, max: number) => fc.integer({ min, max }).map((code) => String.fromCodePoint(code))
export const letters = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: min, maxLength: max })

/** Whitespace a trimming parser removes: a string of only these is "blank" though it has characters. */
const WHITESPACE = [' ', '\t', '\n', '\u000b', '\f', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff']
/**
 * One character of a generated string: mostly printable ASCII, sometimes whitespace, a control
 * character, a BMP letter or an astral one (emoji). `maxLength` counts characters (code points), as
 * JSON Schema does. Never a lone surrogate, which is not a Unicode character.
 */
const character = fc.oneof(
  { weight: 8, arbitrary: codePoint(0x20, 0x7e) },
  { weight: 1, arbitrary: fc.constantFrom(...WHITESPACE) },
  { weight: 1, arbitrary: fc.oneof(codePoint(0x00, 0x1f), fc.constant('\u007f')) },
  { weight: 1, arbitrary: codePoint(0xa1, 0xd7ff) },
  { weight: 1, arbitrary: codePoint(0x1f300, 0x1faff) },
)

/** Strings of `min`–`max` characters: typical ones, blank ones, and ones exactly `max` long. */
function text(min: number, max: number | undefined): fc.Arbitrary<string> {
  const upper = Math.max(min, Math.min(max ?? TYPICAL_LENGTH, TYPICAL_LENGTH))
  const options: fc.WeightedArbitrary<string>[] = [
    { weight: 6, arbitrary: fc.string({ unit: character, minLength: min, maxLength: upper }) },
  ]
  const blank = Math.max(min, 1)
  if (max === undefined || max >= blank) {
    const blankMax = Math.min(blank + 2, max ?? blank + 2)
    options.push({
      weight: 1,
      arbitrary: fc.string({ unit: fc.constantFrom(...WHITESPACE), minLength: blank, maxLength: blankMax }),
    })
  }
  if (max !== undefined && max > upper) {
    options.push({ weight: 1, arbitrary: fc.string({ unit: character, minLength: max, maxLength: max }) })
  }
  return fc.oneof(...options)
}

const plainEmail = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/), fc.constantFrom('example.com', 'example.org', 'mail.example.net'))
  .map(([local, domain]) => `${local}@${domain}`)

/** A header value HTTP can carry, without the leading or trailing whitespace it would strip. */
export const FIELD_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]{0,60}[\x21-\x7e])?$/

export class SchemaArbitraries {
  private readonly ajv = new Ajv2020({ strict: false, validateSchema: false })
  private readonly validators = new Map<string, ValidateFunction>()

  constructor(
    private readonly document: OpenApiDocument,
    private readonly references: References = {},
  ) {
    addFormats(this.ajv)
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID })
  }

  /** Whether the document's schema accepts the value (its `$ref`s resolved against the document). */
  isValid(schema: unknown, value: unknown): boolean {
    const key = JSON.stringify(schema)
    let validate = this.validators.get(key)
    if (!validate) {
      const absolute = JSON.parse(key, (name, item) =>
        name === '$ref' && typeof item === 'string' && item.startsWith('#') ? `${DOCUMENT_ID}${item}` : item,
      )
      validate = this.ajv.compile(absolute ?? {})
      this.validators.set(key, validate)
    }
    return validate(value) === true
  }

  /** The schema with `$ref`s followed and `allOf` branches merged into one. */
  resolve(schema: unknown): Schema {
    if (!isObject(schema)) return {}
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace('#/components/schemas/', '')
      const { $ref: _, ...rest } = schema
      return this.resolve({ ...(this.document.components?.schemas?.[name] ?? {}), ...rest })
    }
    if (Array.isArray(schema.allOf)) {
      const { allOf, ...rest } = schema
      let merged: Schema = { ...rest }
      for (const branch of allOf) {
        const part = this.resolve(branch)
        merged = {
          ...part,
          ...merged,
          properties: { ...(part.properties as Schema), ...(merged.properties as Schema) },
          required: [...((part.required as string[]) ?? []), ...((merged.required as string[]) ?? [])],
        }
      }
      if (Object.keys(merged.properties as Schema).length === 0) delete merged.properties
      if ((merged.required as string[]).length === 0) delete merged.required
      return merged
    }
    return schema
  }

  /** Values the schema accepts. `name` is the property or parameter holding it (for `references`). */
  valid(schema: unknown, name = '', depth = 0): fc.Arbitrary<unknown> {
    return this.generate(schema, name, depth).filter(
      accept((value) => this.isValid(schema, value), `a value of ${shown(schema)}`),
    )
  }

  private generate(schema: unknown, name: string, depth: number): fc.Arbitrary<unknown> {
    const s = this.resolve(schema)
    if ('const' in s) return fc.constant(s.const)
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum)
    const branches = s.anyOf ?? s.oneOf
    if (Array.isArray(branches)) return fc.oneof(...branches.map((branch) => this.generate(branch, name, depth)))
    const types = typesOf(s)
    if (types.length > 1) return fc.oneof(...types.map((type) => this.generate({ ...s, type }, name, depth)))
    switch (types[0]) {
      case 'null':
        return fc.constant(null)
      case 'boolean':
        return fc.boolean()
      case 'integer':
        return fc.integer({ min: bound(s.minimum, INT_MIN), max: bound(s.maximum, INT_MAX) })
      case 'number':
        return fc.double({ min: bound(s.minimum, INT_MIN), max: bound(s.maximum, INT_MAX), noNaN: true })
      case 'string':
        return this.string(s, name)
      case 'array': {
        const min = (s.minItems as number | undefined) ?? 0
        const max = Math.min((s.maxItems as number | undefined) ?? min + 3, min + 3)
        return fc.array(this.generate(s.items, name, depth + 1), { minLength: min, maxLength: max })
      }
      case 'object':
        return this.object(s, depth)
      default:
        return fc.jsonValue({ maxDepth: 1 })
    }
  }

  /** Objects: only the required properties, a random subset of the optional ones, or all of them. */
  private object(s: Schema, depth: number, all = false): fc.Arbitrary<Record<string, unknown>> {
    const properties = Object.entries((s.properties as Schema | undefined) ?? {})
    const required = new Set((s.required as string[] | undefined) ?? [])
    const model = Object.fromEntries(properties.map(([key, sub]) => [key, this.generate(sub, key, depth + 1)]))
    const requiredOnly = Object.fromEntries(Object.entries(model).filter(([key]) => required.has(key)))
    if (all) return fc.record(model)
    return fc.oneof(
      { weight: 1, arbitrary: fc.record(requiredOnly) },
      { weight: 4, arbitrary: fc.record(model, { requiredKeys: [...required] }) },
      { weight: 1, arbitrary: fc.record(model) },
    )
  }

  /** Valid objects with every declared property present (what a break then changes). */
  whole(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    return this.object(s, depth, true).filter(accept((value) => this.isValid(s, value), 'a whole object'))
  }

  private string(s: Schema, name: string): fc.Arbitrary<string> {
    // A uuid that names something (an assignee, a project) is the id of a thing that exists.
    const known = s.format === 'uuid' ? (this.references[name] ?? []).filter((id) => this.isValid(s, id)) : []
    if (known.length > 0) return fc.constantFrom(...known)
    const min = (s.minLength as number | undefined) ?? 0
    const max = s.maxLength as number | undefined
    let base: fc.Arbitrary<string>
    if (typeof s.pattern === 'string') base = matching(s.pattern) ?? text(min, max)
    else if (s.format === 'uuid') base = fc.uuid()
    else if (s.format === 'email') base = fc.oneof(fc.emailAddress(), plainEmail)
    else if (s.format === 'date-time')
      base = fc.date({ min: EPOCH, max: Y3K, noInvalidDate: true }).map((d) => d.toISOString())
    else if (s.format === 'uri') base = fc.webUrl()
    else base = text(min, max)
    return base.filter(accept((value) => this.isValid(s, value), `a string for ${name || 'a parameter'}`))
  }

  /**
   * Header values the schema accepts. HTTP carries a header value as visible ASCII with inner
   * spaces (RFC 9110 field values; obs-text is obsolete), so strings come from that alphabet.
   */
  validHeader(schema: unknown, name = ''): fc.Arbitrary<string> {
    const s = this.resolve(schema)
    const base = typeof s.pattern === 'string' ? this.valid(s, name).map(asText) : fc.stringMatching(FIELD_VALUE)
    const fits = (value: string) => FIELD_VALUE.test(value) && this.isValid(s, parseText(s, value))
    return base.filter(accept(fits, `a header value for ${name}`))
  }
}

/** The JSON value a parameter's text stands for, given its schema's type (OpenAPI `form`/`simple` style). */
export function parseText(schema: Schema, value: string): unknown {
  const types = typesOf(schema)
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value)
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true'
  return value
}

/** A value as JSON, cut short for reports. */
export const shown = (value: unknown) => {
  const json = JSON.stringify(value)
  return json.length > 40 ? `${json.slice(0, 30)}…" (${String(value).length} chars)` : json
}

/** A parameter value as text. */
export const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

export function typesOf(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type as string[]
  if (typeof s.type === 'string') return [s.type]
  if (isObject(s.properties)) return ['object']
  return []
}

const bound = (value: unknown, fallback: number) =>
  typeof value === 'number' ? Math.max(INT_MIN, Math.min(INT_MAX, value)) : fallback

/**
 * Strings matching a pattern. fast-check cannot generate from lookarounds (`(?!\.)` in an email
 * pattern, say), so those are dropped for generation and the full pattern is applied as a filter
 * (in `string`). Undefined when fast-check cannot generate from what is left either.
 */
function matching(pattern: string): fc.Arbitrary<string> | undefined {
  const withoutLookarounds = pattern.replace(/\(\?<?[=!](?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)/g, '')
  for (const candidate of [pattern, withoutLookarounds]) {
    try {
      const arbitrary = fc.stringMatching(new RegExp(candidate, 'u'))
      fc.sample(arbitrary, { numRuns: 1, seed: 0 })
      return arbitrary
    } catch {
      // not generable: try the next form
    }
  }
  return undefined
}

/**
 * Breaking schemas, for the property-based conformance test: values that break a schema of the
 * OpenAPI document in one named way. `invalid` gives JSON values for bodies (a wrong type, a value
 * outside an enum, a string over `maxLength` or under `minLength`, one that misses its `pattern` or
 * `format`, an integer out of range or not an integer, too many or too few items, a required
 * property left out, no property under `minProperties`, an unknown property under
 * `additionalProperties: false`, or any of these inside a property or an item); `invalidText`
 * gives parameter text that breaks the schema once parsed as its type (`0x10` or `2.5` for an
 * integer). Every candidate is checked by Ajv to really break the schema.
 */
import fc from 'fast-check'
import {
  accept,
  type Broken,
  letters,
  parseText,
  type Schema,
  type SchemaArbitraries,
  shown,
  typesOf,
} from './property-schemas'

const MAX_DEPTH = 3
/** Values of every JSON type; `invalid` offers those the schema does not allow. */
const OTHER_TYPES: unknown[] = [42, 1.5, 'text', true, null, [], {}]
/** Strings that break a format (each is checked against the format by Ajv before use). */
const MALFORMED: Record<string, string[]> = {
  uuid: ['not-a-uuid', '1234', 'e4dfedff-6482-847f-a4d6-73830000000g', 'e4dfedff64824f7fa4d6738300000003'],
  email: ['no-at-sign', '@example.com', 'ada@', 'two@@example.com'],
  'date-time': ['yesterday', '2026-13-45T99:00:00Z', '2026-11-26'],
  uri: ['not a uri', '://missing-scheme'],
}

export class SchemaBreaks {
  constructor(private readonly tools: SchemaArbitraries) {}

  /** JSON values that break the schema, each saying how; undefined when nothing can break it. */
  invalid(schema: unknown, at: string, depth = 0): fc.Arbitrary<Broken> | undefined {
    const s = this.tools.resolve(schema)
    const options: fc.Arbitrary<Broken>[] = []
    const add = (arbitrary: fc.Arbitrary<unknown>, why: string) =>
      options.push(arbitrary.map((value) => ({ value, why: `${at}: ${why}` })))
    const others = OTHER_TYPES.filter((value) => !this.tools.isValid(s, value))
    if (others.length > 0) {
      options.push(fc.constantFrom(...others).map((value) => ({ value, why: `${at}: wrong type ${shown(value)}` })))
    }
    const types = typesOf(s)
    if (Array.isArray(s.enum)) add(fc.constant('not-a-listed-value'), `not one of ${JSON.stringify(s.enum)}`)
    else if (types.includes('string')) for (const [arbitrary, why] of this.badStrings(s)) add(arbitrary, why)
    if (types.includes('integer') || types.includes('number')) {
      if (typeof s.minimum === 'number') add(fc.constant(s.minimum - 1), `below minimum ${s.minimum}`)
      if (typeof s.maximum === 'number') add(fc.constant(s.maximum + 1), `above maximum ${s.maximum}`)
      if (types.includes('integer') && !types.includes('number')) add(fc.constant(2.5), 'not an integer')
    }
    if (types.includes('array')) {
      const items = this.tools.valid(s.items, '', depth + 1)
      if (typeof s.maxItems === 'number') {
        add(
          fc.array(items, { minLength: s.maxItems + 1, maxLength: s.maxItems + 1 }),
          `more than maxItems ${s.maxItems}`,
        )
      }
      if (typeof s.minItems === 'number' && s.minItems > 0) {
        add(
          fc.array(items, { minLength: s.minItems - 1, maxLength: s.minItems - 1 }),
          `fewer than minItems ${s.minItems}`,
        )
      }
      const item = depth < MAX_DEPTH ? this.invalid(s.items, `${at}[0]`, depth + 1) : undefined
      if (item)
        options.push(
          fc
            .tuple(fc.array(items, { maxLength: 2 }), item)
            .map(([rest, b]) => ({ value: [b.value, ...rest], why: b.why })),
        )
    }
    if (types.includes('object')) options.push(...this.badObjects(s, at, depth))
    const breaks = accept((broken: Broken) => !this.tools.isValid(schema, broken.value), `a break of ${at}`)
    const choices = options.map((option) => option.filter(breaks))
    return choices.length > 0 ? fc.oneof(...choices) : undefined
  }

  private badStrings(s: Schema): [fc.Arbitrary<string>, string][] {
    const out: [fc.Arbitrary<string>, string][] = []
    if (typeof s.maxLength === 'number')
      out.push([letters(s.maxLength + 1, s.maxLength + 3), `longer than maxLength ${s.maxLength}`])
    if (typeof s.minLength === 'number' && s.minLength > 0) {
      out.push([letters(s.minLength - 1, s.minLength - 1), `shorter than minLength ${s.minLength}`])
    }
    if (typeof s.pattern === 'string') {
      const candidates = ['', ' ', 'lower case words', '!!', 'ÄÖÜ', '12'].filter(
        (value) => !new RegExp(s.pattern as string, 'u').test(value),
      )
      if (candidates.length > 0) out.push([fc.constantFrom(...candidates), `does not match pattern ${s.pattern}`])
    }
    const malformed = MALFORMED[s.format as string]
    if (malformed) out.push([fc.constantFrom(...malformed), `not a valid ${s.format}`])
    return out
  }

  private badObjects(s: Schema, at: string, depth: number): fc.Arbitrary<Broken>[] {
    const properties = Object.entries((s.properties as Schema | undefined) ?? {})
    if (properties.length === 0) return []
    const whole = this.tools.whole(s, depth)
    const out: fc.Arbitrary<Broken>[] = []
    for (const key of (s.required as string[] | undefined) ?? []) {
      out.push(whole.map(({ [key]: _, ...rest }) => ({ value: rest, why: `${at}.${key}: required, left out` })))
    }
    if (typeof s.minProperties === 'number' && s.minProperties > 0) {
      out.push(fc.constant({ value: {}, why: `${at}: no properties (minProperties ${s.minProperties})` }))
    }
    if (s.additionalProperties === false) {
      out.push(
        whole.map((value) => ({
          value: { ...value, unexpected: 'x' },
          why: `${at}: unknown property "unexpected" (additionalProperties: false)`,
        })),
      )
    }
    if (depth >= MAX_DEPTH) return out
    for (const [key, sub] of properties) {
      const broken = this.invalid(sub, `${at}.${key}`, depth + 1)
      if (broken)
        out.push(fc.tuple(whole, broken).map(([value, b]) => ({ value: { ...value, [key]: b.value }, why: b.why })))
    }
    return out
  }

  /** Parameter text that breaks the schema once parsed as its type (`0x10` for an integer). */
  invalidText(schema: unknown, at: string): fc.Arbitrary<Broken> | undefined {
    const s = this.tools.resolve(schema)
    const types = typesOf(s)
    const options: [fc.Arbitrary<string>, string][] = []
    if (Array.isArray(s.enum)) options.push([fc.constant('not-a-listed-value'), `not one of ${JSON.stringify(s.enum)}`])
    else if (types.includes('integer')) {
      options.push([fc.constantFrom('abc', '2.5', '0x10', '7seven'), 'not an integer'])
      if (typeof s.minimum === 'number')
        options.push([fc.constant(String(s.minimum - 1)), `below minimum ${s.minimum}`])
      if (typeof s.maximum === 'number')
        options.push([fc.constant(String(s.maximum + 1)), `above maximum ${s.maximum}`])
    } else if (types.includes('boolean')) options.push([fc.constantFrom('maybe', 'yes please'), 'not a boolean'])
    else if (types.includes('string'))
      options.push(...this.badStrings(s).filter(([, why]) => !why.startsWith('shorter')))
    const choices = options.map(([arbitrary, why]) =>
      arbitrary
        .filter(accept((value: string) => !this.tools.isValid(s, parseText(s, value)), `a break of ${at}`))
        .map((value): Broken => ({ value, why: `${at}=${shown(value)}: ${why}` })),
    )
    return choices.length > 0 ? fc.oneof(...choices) : undefined
  }
}

/**
 * Schema building blocks whose OpenAPI description says exactly what the server accepts, for the
 * inputs where zod's own output would promise more: trimmed text that must not be blank (the
 * document gets the pattern `\S`, the same whitespace set `String.prototype.trim` removes), email
 * addresses (one regex, enforced and published), and integers in query strings (decimal digits
 * only; an empty value means "not given").
 */
import { z } from '@hono/zod-openapi'
import { SLUG_PATTERN } from '../domain/workspaces'

/** Contains a character that is not whitespace: ECMAScript `\s` is exactly what `trim()` strips. */
export const NOT_BLANK = '\\S'

/** Text that is trimmed and must not be blank: `max` counts the trimmed text. */
export const text = (max: number) => z.string().trim().min(1).max(max).openapi({ pattern: NOT_BLANK })

/**
 * The addresses the API takes: dot-separated atoms of letters, digits and `_'+-` before the `@`, a
 * domain of dot-separated labels with a 2+ letter top level. Published as the schema's `pattern`,
 * so a generated client validates what the server validates.
 */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9_'+-]+(?:\.[A-Za-z0-9_'+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$/

const DECIMAL = /^-?\d{1,15}$/

/** Decimal text becomes a number; an empty value is "not given"; anything else stays as it is. */
const decimal = (value: unknown) => {
  if (value === '') return undefined
  return typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value
}

/**
 * An integer query parameter: decimal digits only (`0x10`, `1e1` and `1.0` are refused), an empty
 * value means the default. Documented as `type: integer` with its bounds.
 */
export function queryInteger(options: { min: number; max?: number }) {
  const base = z.number().int().min(options.min)
  return z.preprocess(decimal, options.max === undefined ? base : base.max(options.max))
}

/** The same, optional, with a default for absent and empty values. */
export function queryIntegerWithDefault(options: { min: number; max: number; default: number }) {
  return z.preprocess(decimal, z.number().int().min(options.min).max(options.max).default(options.default))
}

/** A workspace's slug: taken by workspace creation, login and register. */
export const WorkspaceSlugSchema = z.string().regex(new RegExp(SLUG_PATTERN)).openapi({
  description: '3–40 characters of `a-z`, `0-9` and `-`, starting and ending with a letter or digit',
  example: 'acme',
})

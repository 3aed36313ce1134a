/**
 * Keyset pagination for collections: the page a store returns (`Page`, `Position`), the
 * `limit`/`cursor` query schema, opaque cursors (the sort values of the last item, base64url JSON),
 * and the one way a handler answers with a page (`pageResponse`: the items as a JSON array, with
 * `Link: rel="next"` and `X-Total-Count`). Keyset cursors never skip or repeat an item while new
 * items are created.
 */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { base64url } from 'jose'
import { ApiError } from './errors'
import { queryIntegerWithDefault } from './schemas'

/** A position in a keyset-paged list: the sort values of the last item returned. */
export type Position = (string | number)[]

export interface Page<T> {
  items: T[]
  total: number
  /** Where the next page starts; null on the last page. */
  next: Position | null
}

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 200

export const PageQuerySchema = z.object({
  limit: queryIntegerWithDefault({ min: 1, max: MAX_LIMIT, default: DEFAULT_LIMIT }).openapi({
    description: `Items per page (1–${MAX_LIMIT}); empty or absent: ${DEFAULT_LIMIT}`,
    example: DEFAULT_LIMIT,
  }),
  cursor: z
    .string()
    .max(1024)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor from a Link header')
    .optional()
    .openapi({
      description:
        'Opaque, issued by the server: copy it from the previous page’s `Link: rel="next"` header. A cursor the server did not issue for this collection and sort is refused with 422 `E_VALIDATION_ERROR`.',
    }),
})

const PositionSchema = z
  .array(z.union([z.string().max(256), z.number()]))
  .min(1)
  .max(4)

export function encodeCursor(position: Position): string {
  return base64url.encode(JSON.stringify(position))
}

/** Decodes a cursor, or answers 422 naming the `cursor` parameter. */
export function decodeCursor(cursor: string | undefined, arity: number): Position | null {
  if (cursor === undefined) return null
  try {
    const position = PositionSchema.parse(JSON.parse(new TextDecoder().decode(base64url.decode(cursor))))
    if (position.length === arity) return position
  } catch {
    // fall through to the validation error
  }
  throw new ApiError('E_VALIDATION_ERROR', {
    details: { issues: [{ path: 'cursor', message: 'Invalid cursor', location: 'query' }] },
  })
}

export const pageHeaders = {
  'X-Total-Count': { description: 'Number of items matching the filters', schema: { type: 'integer' as const } },
  Link: {
    description: 'RFC 8288 link to the next page (`rel="next"`), present when more items exist',
    schema: { type: 'string' as const },
  },
}

/** Which page a store call should return: the items after `after` (null: the first), at most `limit`. */
export interface PageArgs {
  after: Position | null
  limit: number
}

/** The store's paging arguments from a validated `limit`/`cursor` query (a cursor has `arity` values). */
export const pageArgs = (query: { limit: number; cursor?: string | undefined }, arity = 1): PageArgs => ({
  after: decodeCursor(query.cursor, arity),
  limit: query.limit,
})

/**
 * The answer for a page: its items as a JSON array, `X-Total-Count`, and, when there is a next
 * page, `Link` to it with every other query parameter kept.
 */
export function pageResponse<T>(c: Context, page: Page<T>) {
  c.header('X-Total-Count', String(page.total))
  if (page.next) {
    const url = new URL(c.req.url)
    url.searchParams.set('cursor', encodeCursor(page.next))
    c.header('Link', `<${url.toString()}>; rel="next"`)
  }
  return c.json(page.items, 200)
}

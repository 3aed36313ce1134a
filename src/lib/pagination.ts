/**
 * Keyset pagination for collections: the `limit`/`cursor` query schema, opaque cursors (the sort
 * values of the last item, base64url JSON) and the `Link: rel="next"` and `X-Total-Count` headers.
 * Keyset cursors never skip or repeat an item while new items are created.
 */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { base64url } from 'jose'
import type { Page, Position } from '../store/db/context'
import { ApiError } from './errors'
import { queryIntegerWithDefault } from './schemas'

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

/** Sets `X-Total-Count` and, when there is a next page, `Link` with every other query kept. */
export function setPageHeaders(c: Context, page: Page<unknown>) {
  c.header('X-Total-Count', String(page.total))
  if (!page.next) return
  const url = new URL(c.req.url)
  url.searchParams.set('cursor', encodeCursor(page.next))
  c.header('Link', `<${url.toString()}>; rel="next"`)
}

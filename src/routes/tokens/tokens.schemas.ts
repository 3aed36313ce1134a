/** API token schemas: the token as listed, the creation body and answer, and the list's filters. */
import { z } from '@hono/zod-openapi'
import { SCOPES } from '../../domain/scopes'
import { text } from '../../lib/schemas'

export const ScopeSchema = z.enum(SCOPES).openapi('Scope', {
  description:
    'What an API token may do, within its user’s current role. `tickets:*` covers tickets, comments, attachments and notifications; a `…:write` scope includes its `…:read`.',
})

const TokenId = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .openapi({ example: '3f2a9c1e0b7d4e5f8a6b2c1d0e9f8a7b' })

export const ApiTokenSchema = z
  .object({
    id: TokenId,
    userId: z.uuid(),
    name: z.string(),
    scopes: z.array(ScopeSchema),
    prefix: z
      .string()
      .openapi({ description: 'The token’s first characters, to recognise it by', example: 'tkt_acme.3f2a9c' }),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: 'To the minute (seconds are always 0)' }),
  })
  .openapi('ApiToken')

export const CreatedApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({
    description: 'The secret, `tkt_…`: shown this once and never again. Send it as `Authorization: Bearer tkt_…`.',
  }),
}).openapi('CreatedApiToken')

export const CreateApiTokenSchema = z
  .strictObject({
    name: text(100).openapi({ example: 'CI deploy bot' }),
    scopes: z.array(ScopeSchema).min(1).max(SCOPES.length),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(366)
      .default(90)
      .openapi({ description: 'Days until it expires (default 90)' }),
  })
  .openapi('CreateApiToken')

export const TokenIdParamSchema = z.object({
  tokenId: TokenId.openapi({ param: { name: 'tokenId', in: 'path' }, description: 'The token’s id' }),
})

export const TokenListQuerySchema = z.object({
  user_id: z.uuid().optional().openapi({ description: 'Admins: the tokens of this user' }),
  all: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .openapi({ type: 'boolean', description: 'Admins: every token of the workspace' }),
})

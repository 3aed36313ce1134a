/**
 * System routes: liveness and the public JSON Web Key Set for verifying access tokens.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { errorResponses, jsonContent, publicSecurity } from '../../lib/openapi'

const tags = ['System']

export const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health')

export const JwksSchema = z
  .object({
    keys: z.array(
      z
        .object({
          kty: z.string(),
          kid: z.string(),
          alg: z.string(),
          use: z.string(),
          n: z.string(),
          e: z.string(),
        })
        .openapi('Jwk'),
    ),
  })
  .openapi('Jwks')

export const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  summary: 'Liveness check',
  tags,
  security: publicSecurity,
  responses: {
    200: jsonContent(HealthSchema, 'The API is up'),
    ...errorResponses(),
  },
})

export const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  operationId: 'getJwks',
  summary: 'Public keys that verify access tokens',
  description: 'With RS256, the public key (by `kid`). With HS256 there is nothing to publish: `keys` is empty.',
  tags,
  security: publicSecurity,
  responses: {
    200: jsonContent(JwksSchema, 'The key set'),
    ...errorResponses('E_SERVICE_MISCONFIGURED'),
  },
})

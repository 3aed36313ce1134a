/** Liveness and the JWKS document. */
import { tokenKeys } from '../../auth/keys'
import { createRouter } from '../../lib/create-router'
import * as routes from './system.routes'

export const systemRouter = createRouter()
  .openapi(routes.health, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(routes.jwks, async (c) => {
    const keys = await tokenKeys(c.get('config'))
    c.header('Cache-Control', 'public, max-age=300')
    const jwk = keys.publicJwk
    return c.json(
      {
        keys: jwk?.n && jwk.e ? [{ kty: 'RSA', kid: keys.kid, alg: 'RS256', use: 'sig', n: jwk.n, e: jwk.e }] : [],
      },
      200,
    )
  })

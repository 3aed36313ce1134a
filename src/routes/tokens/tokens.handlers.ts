/** API token handlers: the secret is made here in the Worker; the store keeps only its hash. */
import { newApiToken } from '../../auth/api-tokens'
import type { AppRouteHandler } from '../../lib/app-env'
import { unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type * as routes from './tokens.routes'

const DAY_MS = 24 * 60 * 60 * 1000

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { name, scopes, expiresInDays } = c.req.valid('json')
  const minted = await newApiToken(c.get('workspace'))
  const created = await unwrap(
    c.get('store').createApiToken(c.get('auth').actor, {
      id: minted.tokenId,
      name,
      scopes,
      shown: minted.shown,
      hash: minted.hash,
      expiresAt: new Date(Date.now() + expiresInDays * DAY_MS).toISOString(),
    }),
  )
  c.header('Location', `/api/v1/auth/tokens/${created.id}`)
  c.header('Cache-Control', 'no-store')
  return c.json({ ...created, token: minted.token }, 201)
}

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { user_id, all, ...query } = c.req.valid('query')
  const owners = all ? { all: true as const } : user_id ? { userId: user_id } : null
  return pageResponse(c, await unwrap(c.get('store').listApiTokens(c.get('auth').actor, owners, pageArgs(query))))
}

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
  const { tokenId } = c.req.valid('param')
  await unwrap(c.get('store').revokeApiToken(c.get('auth').actor, tokenId))
  return c.body(null, 204)
}

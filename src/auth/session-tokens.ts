/**
 * Issues the token pair for a session: a short-lived access token and the session's current
 * single-use refresh token, signed in the Worker with the configured key.
 */
import type { Config } from '../config'
import type { Role } from '../domain/roles'
import { tokenKeys } from './keys'
import { signAccessToken, signRefreshToken } from './tokens'

export interface TokenPair {
  accessToken: string
  refreshToken: string
  tokenType: 'Bearer'
  expiresIn: number
}

export async function issueTokenPair(
  config: Config,
  user: { id: string; role: Role },
  session: { id: string; refreshJti: string },
): Promise<TokenPair> {
  const keys = await tokenKeys(config)
  const [accessToken, refreshToken] = await Promise.all([
    signAccessToken(keys, config.jwt, { sub: user.id, role: user.role, sid: session.id }),
    signRefreshToken(keys, config.jwt, { sub: user.id, sid: session.id, jti: session.refreshJti }),
  ])
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: config.jwt.accessTtlSeconds }
}

export const sessionExpiry = (config: Config) =>
  new Date(Date.now() + config.jwt.refreshTtlSeconds * 1000).toISOString()

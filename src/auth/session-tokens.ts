/**
 * Issues the token pair for a session: a short-lived access token and the session's current
 * single-use refresh token, signed in the Worker with the configured key, both naming the
 * session's workspace.
 */
import type { Config } from '../config'
import type { Role } from '../domain/roles'
import type { WorkspaceRef } from '../domain/workspaces'
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
  workspace: WorkspaceRef,
  user: { id: string; role: Role },
  session: { id: string; refreshJti: string },
): Promise<TokenPair> {
  const keys = await tokenKeys(config)
  const [accessToken, refreshToken] = await Promise.all([
    signAccessToken(keys, config.jwt, { sub: user.id, role: user.role, sid: session.id, workspace }),
    signRefreshToken(keys, config.jwt, { sub: user.id, sid: session.id, jti: session.refreshJti, workspace }),
  ])
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: config.jwt.accessTtlSeconds }
}

export const sessionExpiry = (config: Config) =>
  new Date(Date.now() + config.jwt.refreshTtlSeconds * 1000).toISOString()

/**
 * The one check of a presented token, used by `requireAuth`, the refresh route and the WebSocket
 * route: where a bearer token is read from a request, and how a token that fails verification
 * becomes the contract's 401 (`E_AUTH_TOKEN_EXPIRED` or `E_AUTH_TOKEN_INVALID`).
 */
import type { Config } from '../config'
import { ApiError } from '../lib/errors'
import { tokenKeys } from './keys'
import { TokenError, type TokenType, type VerifiedToken, verifyToken } from './tokens'

/** RFC 6750's `Authorization: Bearer <b64token>`. */
const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i

export const bearerToken = (header: string | undefined): string | null => BEARER.exec(header ?? '')?.[1] ?? null

export const missingToken = () => new ApiError('E_AUTH_TOKEN_INVALID', { message: 'A bearer access token is required' })

/** The verified claims of a token of the given type, or a 401 ApiError. */
export async function checkToken(config: Config, token: string, type: TokenType): Promise<VerifiedToken> {
  const keys = await tokenKeys(config)
  try {
    return await verifyToken(keys, config.jwt, token, type)
  } catch (error) {
    if (!(error instanceof TokenError)) throw error
    throw new ApiError(error.reason === 'expired' ? 'E_AUTH_TOKEN_EXPIRED' : 'E_AUTH_TOKEN_INVALID')
  }
}

/**
 * The Worker's signing keys, imported once per isolate and config. In development a missing key is
 * replaced by one generated for this isolate (tokens then end when the dev server restarts); in
 * production a missing or unreadable key is a 503 that names the variable to set.
 */
import type { Config } from '../config'
import { ApiError } from '../lib/errors'
import { importKeys, SigningKeyMissingError, type TokenKeys } from './tokens'

const cache = new WeakMap<Config, Promise<TokenKeys>>()

const variableFor = (config: Config) => (config.jwt.algorithm === 'HS256' ? 'JWT_SECRET_KEY' : 'JWT_PRIVATE_KEY')

export function tokenKeys(config: Config): Promise<TokenKeys> {
  let keys = cache.get(config)
  if (!keys) {
    keys = importKeys(config.jwt, config.environment === 'development').catch((error: unknown) => {
      cache.delete(config)
      const variable = variableFor(config)
      throw new ApiError('E_SERVICE_MISCONFIGURED', {
        message:
          error instanceof SigningKeyMissingError
            ? `Token signing is not configured: set the ${variable} secret (JWT_ALGORITHM=${config.jwt.algorithm})`
            : `Token signing is not configured: ${variable} could not be imported`,
        details: { variables: [variable] },
      })
    })
    cache.set(config, keys)
  }
  return keys
}

/**
 * Rate limits for the credential endpoints and workspace creation, through Workers rate-limit
 * bindings: one counter per client address (`CF-Connecting-IP`, set by Cloudflare) and one per
 * account (a workspace's email), so neither a single client nor a distributed attack on one account
 * gets unlimited guesses. Over: 429 + Retry-After.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../lib/app-env'
import { ApiError } from '../lib/errors'

/** Both bindings count over 60-second windows (see wrangler.toml). */
const PERIOD_SECONDS = 60

export const clientAddress = (c: Context<AppEnv>) => c.req.header('CF-Connecting-IP') ?? 'unknown'

export async function limitCredentialAttempts(c: Context<AppEnv>, account?: { workspace: string; email: string }) {
  const checks = [c.env.RATE_LIMIT_BY_ADDRESS.limit({ key: `address:${clientAddress(c)}` })]
  if (account) checks.push(c.env.RATE_LIMIT_BY_EMAIL.limit({ key: `email:${account.workspace}:${account.email}` }))
  const outcomes = await Promise.all(checks)
  if (outcomes.every((outcome) => outcome.success)) return
  throw new ApiError('E_RATE_LIMITED', {
    details: { retryAfterSeconds: PERIOD_SECONDS },
    headers: { 'Retry-After': String(PERIOD_SECONDS) },
  })
}

/**
 * Requests with an API token: one counter per token (`RATE_LIMIT_BY_TOKEN`, 1,000 a minute), keyed
 * by the hash of the whole token, so requests with a guessed secret for a known token id count
 * against themselves and never lock the real token out.
 */
export async function limitApiToken(c: Context<AppEnv>, tokenHash: string) {
  const outcome = await c.env.RATE_LIMIT_BY_TOKEN.limit({ key: `token:${tokenHash}` })
  if (outcome.success) return
  throw new ApiError('E_RATE_LIMITED', {
    details: { retryAfterSeconds: PERIOD_SECONDS },
    headers: { 'Retry-After': String(PERIOD_SECONDS) },
  })
}

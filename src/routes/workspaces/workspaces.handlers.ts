/**
 * Workspace handlers. Creation: the admin's password is hashed first (CPU, here in the Worker), then
 * the directory reserves the slug, the new workspace's object is initialised with its admin and
 * first session in one transaction, and the directory confirms; a failure in between gives the slug
 * back. Reading, renaming and deleting act on the workspace the caller's token names.
 */
import type { Context } from 'hono'
import { isApiToken } from '../../auth/api-tokens'
import { hashPassword } from '../../auth/password'
import { limitCredentialAttempts } from '../../auth/rate-limit'
import { issueTokenPair, sessionExpiry } from '../../auth/session-tokens'
import { bearerToken, checkToken, missingToken } from '../../auth/token-check'
import { DEFAULT_REF, DEFAULT_WORKSPACE, type WorkspaceRef } from '../../domain/workspaces'
import type { AppEnv, AppRouteHandler } from '../../lib/app-env'
import { ApiError, unwrap } from '../../lib/errors'
import { workspaceStore } from '../../lib/workspace-objects'
import { directory, remember } from '../../store/client'
import type * as routes from './workspaces.routes'

/** With `WORKSPACE_SIGNUP=closed`, only an admin of `default` may create workspaces. */
async function requireDefaultAdmin(c: Context<AppEnv>) {
  const token = bearerToken(c.req.header('Authorization'))
  if (!token) throw missingToken()
  if (isApiToken(token)) throw new ApiError('E_AUTH_SESSION_REQUIRED')
  const verified = await checkToken(c.get('config'), token, 'access')
  const refused = new ApiError('E_AUTH_INSUFFICIENT_PERMISSIONS', {
    message: 'Only an admin of the default workspace may create workspaces here',
  })
  if (verified.workspace.slug !== DEFAULT_WORKSPACE) throw refused
  const caller = await unwrap(workspaceStore(c.env, DEFAULT_REF).me({ userId: verified.sub, sessionId: verified.sid }))
  if (caller.role !== 'admin') throw refused
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const input = c.req.valid('json')
  const config = c.get('config')
  await limitCredentialAttempts(c)
  if (config.workspaceSignup === 'closed') await requireDefaultAdmin(c)
  const placement = { jurisdiction: input.jurisdiction ?? null, locationHint: input.locationHint ?? null }
  const ref: WorkspaceRef = { slug: input.slug, jurisdiction: placement.jurisdiction }
  const admin = {
    name: input.admin.name,
    email: input.admin.email,
    passwordHash: await hashPassword(input.admin.password),
  }
  const session = { id: crypto.randomUUID(), refreshJti: crypto.randomUUID(), expiresAt: sessionExpiry(config) }

  const slugs = directory(c.env)
  const { reservation, abandoned } = await unwrap(slugs.reserve(input.slug, placement))
  let created: Awaited<ReturnType<typeof initialize>>
  try {
    // An earlier attempt that failed halfway may have left an object in another jurisdiction.
    if (abandoned && abandoned.jurisdiction !== placement.jurisdiction) {
      await workspaceStore(c.env, { slug: input.slug, jurisdiction: abandoned.jurisdiction }).discardCreation(
        reservation - 1,
      )
    }
    created = await initialize()
    await unwrap(slugs.confirm(input.slug, reservation))
  } catch (error) {
    await slugs.release(input.slug, reservation).catch(() => undefined)
    throw error
  }
  remember(ref)

  function initialize() {
    const store = workspaceStore(c.env, ref, placement.locationHint)
    return unwrap(store.initializeWorkspace({ name: input.name, placement, reservation, admin, session }))
  }

  const tokens = await issueTokenPair(config, ref, created.admin, session)
  c.header('Location', '/api/v1/workspace')
  return c.json({ ...tokens, workspace: created.workspace, user: created.admin }, 201)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  return c.json(await unwrap(c.get('store').workspace(c.get('auth').actor)), 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { name } = c.req.valid('json')
  return c.json(await unwrap(c.get('store').renameWorkspace(c.get('auth').actor, name)), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { confirm } = c.req.valid('json')
  const { slug } = c.get('workspace')
  if (confirm !== slug) throw new ApiError('E_WORKSPACE_CONFIRMATION_MISMATCH', { details: { expected: slug } })
  await unwrap(c.get('store').deleteWorkspace(c.get('auth').actor))
  return c.body(null, 202)
}

/**
 * User handlers. Passwords are hashed (and the current one checked) here in the Worker; the
 * store decides who may do what with the caller's current role.
 */
import { hashPassword, verifyPassword } from '../../auth/password'
import type { AppRouteHandler } from '../../lib/app-env'
import { ApiError, unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type { UserPatch } from '../../store/users/operations'
import type * as routes from './users.routes'

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { role, active, ...query } = c.req.valid('query')
  const page = pageArgs(query, 2)
  return pageResponse(c, await unwrap(c.get('store').listUsers(c.get('auth').actor, { role, active }, page)))
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { password, ...fields } = c.req.valid('json')
  // The route's requireRole('admin') refused anyone else before a PBKDF2 hash was spent.
  const { actor } = c.get('auth')
  const user = await unwrap(c.get('store').createUser(actor, { ...fields, passwordHash: await hashPassword(password) }))
  c.header('Location', `/api/v1/users/${user.id}`)
  return c.json(user, 201)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { userId } = c.req.valid('param')
  return c.json(await unwrap(c.get('store').getUser(c.get('auth').actor, userId)), 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { userId } = c.req.valid('param')
  const { password, currentPassword, ...fields } = c.req.valid('json')
  const { actor } = c.get('auth')
  const store = c.get('store')
  const patch: UserPatch = { ...fields }
  if (password !== undefined) {
    if (actor.apiToken)
      throw new ApiError('E_AUTH_SESSION_REQUIRED', { message: 'Passwords change with a login session' })
    if (actor.userId === userId) {
      if (currentPassword === undefined) {
        throw new ApiError('E_VALIDATION_ERROR', {
          details: {
            issues: [{ path: 'currentPassword', message: 'Required to change your own password', location: 'body' }],
          },
        })
      }
      const stored = await unwrap(store.passwordHashFor(actor, userId))
      if (!(await verifyPassword(currentPassword, stored)).valid) throw new ApiError('E_USER_CURRENT_PASSWORD_INVALID')
      patch.verifiedHash = stored
    }
    patch.passwordHash = await hashPassword(password)
  }
  return c.json(await unwrap(store.updateUser(actor, userId, patch)), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { userId } = c.req.valid('param')
  await unwrap(c.get('store').deleteUser(c.get('auth').actor, userId))
  return c.body(null, 204)
}

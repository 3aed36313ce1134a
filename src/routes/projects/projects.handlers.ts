/** Project handlers: thin calls into the store. */
import type { AppRouteHandler } from '../../lib/app-env'
import { unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type * as routes from './projects.routes'

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const page = pageArgs(c.req.valid('query'), 2)
  return pageResponse(c, await unwrap(c.get('store').listProjects(c.get('auth').actor, page)))
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const project = await unwrap(c.get('store').createProject(c.get('auth').actor, c.req.valid('json')))
  c.header('Location', `/api/v1/projects/${project.id}`)
  return c.json(project, 201)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { projectId } = c.req.valid('param')
  return c.json(await unwrap(c.get('store').getProject(c.get('auth').actor, projectId)), 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { projectId } = c.req.valid('param')
  return c.json(await unwrap(c.get('store').updateProject(c.get('auth').actor, projectId, c.req.valid('json'))), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { projectId } = c.req.valid('param')
  await unwrap(c.get('store').deleteProject(c.get('auth').actor, projectId))
  return c.body(null, 204)
}

/**
 * How the Worker reaches a workspace's store: `workspaceStore` addresses the Durable Object by
 * name (every request uses `default` until workspaces come from the token or host), and `unwrap`
 * turns a returned failure into an ApiError carrying the store's own code and status.
 */
import type { Bindings } from '../config'
import { ApiError } from '../lib/errors'
import type { Result } from '../lib/result'

export const DEFAULT_WORKSPACE = 'default'

export const workspaceStore = (env: Bindings, name: string = DEFAULT_WORKSPACE) => env.WORKSPACE.getByName(name)

export async function unwrap<T>(pending: Promise<Result<T>> | Result<T>): Promise<T> {
  const result = await pending
  if (!result.ok) throw ApiError.fromFailure(result)
  return result.value
}

/**
 * How the Worker reaches a workspace's store: `workspaceStore` addresses the Durable Object by
 * name (every request uses `default` until workspaces come from the token or host).
 */
import type { Bindings } from '../config'

export const DEFAULT_WORKSPACE = 'default'

export const workspaceStore = (env: Bindings, name: string = DEFAULT_WORKSPACE) => env.WORKSPACE.getByName(name)

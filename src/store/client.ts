/**
 * How the Worker reaches a workspace's store: `workspaceStore` addresses the Durable Object by
 * name (every request uses `default` until workspaces come from the token or host). Worker-only:
 * the Durable Object never imports this module.
 */
import type { Bindings } from '../config'
import { DEFAULT_WORKSPACE } from '../domain/workspaces'

export const workspaceStore = (env: Bindings, name: string = DEFAULT_WORKSPACE) => env.WORKSPACE.getByName(name)

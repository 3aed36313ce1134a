/**
 * Binds a request to one workspace: `useWorkspace` sets the `workspace` and `store` variables every
 * handler reads. Called once per request, from the token (`requireAuth`), from a signed URL, or by
 * the credential routes after the directory has said where the workspace lives. A request is never
 * bound to a second workspace.
 */
import type { Context } from 'hono'
import type { WorkspaceRef } from '../domain/workspaces'
import type { AppEnv } from '../lib/app-env'
import { workspaceStore } from '../lib/workspace-objects'

export function useWorkspace(c: Context<AppEnv>, workspace: WorkspaceRef) {
  c.set('workspace', workspace)
  c.set('store', workspaceStore(c.env, workspace))
  return c.get('store')
}

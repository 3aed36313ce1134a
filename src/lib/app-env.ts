/**
 * The Hono environment every router shares: bindings, and the per-request variables that the
 * middleware sets (request id, parsed config, the workspace the request belongs to and its store
 * stub, the verified caller).
 */
import type { RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Bindings, Config } from '../config'
import type { WorkspaceRef } from '../domain/workspaces'
import type { Actor } from '../store/db/context'
import type { Workspace } from '../store/workspace'

export interface AuthContext {
  actor: Actor
}

export type AppEnv = {
  Bindings: Bindings
  Variables: {
    requestId: string
    config: Config
    /** Set with `store` by `requireAuth` (from the token) or by the routes that take no token. */
    workspace: WorkspaceRef
    store: DurableObjectStub<Workspace>
    auth: AuthContext
  }
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>

/**
 * What a store operation works with: the Durable Object's storage (for transactions and its
 * synchronous key-value API) and its SQL handle, plus the caller, once authenticated.
 */
import type { Caller } from '../../domain/roles'
import type { Scope } from '../../domain/scopes'

export interface StoreContext {
  storage: DurableObjectStorage
  sql: SqlStorage
  /** The workspace's slug, as events name it. */
  workspace: string
  /** Whether notifications are also sent by email (a queue and an email binding are configured). */
  emailEnabled: boolean
}

/**
 * Who is calling: for an access token, its user and session as the verified JWT says; for an API
 * token, its id, the hash of what was presented and the scope the route needs (userId and
 * sessionId are then empty). Either way the store checks it on the call that serves the request.
 */
export interface Actor {
  userId: string
  sessionId: string
  apiToken?: { id: string; hash: string; scope: Scope | null }
}

/** The caller after the store has checked it: its current role, not its token's. */
export interface Principal extends Caller {
  name: string
  /** The session of an access token; '' for an API token. */
  sessionId: string
  /** Set when the caller came with an API token: some things need a login session. */
  tokenId?: string
}

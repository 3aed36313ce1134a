/**
 * What a store operation works with: the Durable Object's storage (for transactions and its
 * synchronous key-value API) and its SQL handle, plus the caller, once authenticated.
 */
import type { Caller } from '../../domain/roles'

export interface StoreContext {
  storage: DurableObjectStorage
  sql: SqlStorage
  /** Whether notifications are also sent by email (a queue and an email binding are configured). */
  emailEnabled: boolean
}

/** Who is calling, as the verified access token says: the session is checked in the store. */
export interface Actor {
  userId: string
  sessionId: string
}

/** The caller after the store has checked its session: its current role, not its token's. */
export interface Principal extends Caller {
  name: string
  sessionId: string
}

/**
 * The Workspace Durable Object: one per workspace, the single owner of its state and order. Its
 * public methods are its RPC surface; each authenticates the caller's session against storage,
 * then runs one operation (every mutation one `transactionSync`). Failures come back as data.
 * Nothing here hashes passwords or signs tokens: that CPU work stays in the stateless Worker.
 */
import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../config'
import { fail, ok, type Result } from '../lib/result'
import * as auth from './auth-operations'
import type { Actor, Position, Principal, StoreContext } from './context'
import { migrate } from './migrate'
import { deleteExpiredSessions, resolvePrincipal } from './sessions'
import { nowIso } from './sql'
import * as users from './user-operations'
import type { NewUser, UserFilter } from './users'

const SWEEP_INTERVAL_MS = 24 * 60 * 60 * 1000

export class Workspace extends DurableObject<Bindings> {
  private readonly store: StoreContext

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.store = { storage: ctx.storage, sql: ctx.storage.sql }
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage)
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS)
    })
  }

  /** Runs `operation` as the caller, if its session is live and its user active. */
  private as<T>(actor: Actor, operation: (caller: Principal) => Result<T>): Result<T> {
    const caller = resolvePrincipal(this.store.sql, actor, nowIso())
    return caller ? operation(caller) : fail('E_AUTH_TOKEN_INVALID')
  }

  /** A round trip that touches nothing: the store's ceiling in benchmarks. */
  ping(): Result<null> {
    return ok(null)
  }

  // Credentials and sessions

  credentialsFor(email: string) {
    return auth.credentialsFor(this.store, email)
  }

  bootstrapAdmin(admin: { email: string; name: string; passwordHash: string }) {
    return auth.bootstrapAdmin(this.store, admin)
  }

  openSession(input: auth.LoginInput) {
    return auth.openSession(this.store, input)
  }

  rotateSession(input: auth.RefreshInput) {
    return auth.rotateSession(this.store, input)
  }

  closeSession(actor: Actor, refreshSessionId: string | null) {
    return this.as(actor, (caller) => auth.closeSession(this.store, caller, refreshSessionId))
  }

  me(actor: Actor) {
    return this.as(actor, (caller) => users.getUserFor(this.store, caller, caller.id))
  }

  // Users

  registerUser(user: Omit<NewUser, 'role'>) {
    return users.registerUser(this.store, user)
  }

  createUser(actor: Actor, user: NewUser) {
    return this.as(actor, (caller) => users.createUserAsAdmin(this.store, caller, user))
  }

  listUsers(actor: Actor, filter: UserFilter, after: Position | null, limit: number) {
    return this.as(actor, (caller) => users.listUsersFor(this.store, caller, filter, after, limit))
  }

  getUser(actor: Actor, id: string) {
    return this.as(actor, (caller) => users.getUserFor(this.store, caller, id))
  }

  passwordHashFor(actor: Actor, id: string) {
    return this.as(actor, (caller) => users.passwordHashFor(this.store, caller, id))
  }

  updateUser(actor: Actor, id: string, patch: users.UserPatch) {
    return this.as(actor, (caller) => users.updateUserFor(this.store, caller, id, patch))
  }

  deleteUser(actor: Actor, id: string) {
    return this.as(actor, (caller) => users.deleteUserFor(this.store, caller, id))
  }

  /** Daily housekeeping: drop sessions past their expiry. */
  override async alarm() {
    deleteExpiredSessions(this.store.sql, nowIso())
    await this.ctx.storage.setAlarm(Date.now() + SWEEP_INTERVAL_MS)
  }
}

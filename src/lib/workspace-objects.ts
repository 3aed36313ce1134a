/**
 * How the Worker addresses a workspace's Durable Object: by its slug, in the namespace of its
 * jurisdiction, both of which ride in the caller's token, so an ordinary request needs no lookup;
 * and how its reads survive a transient failure of the object (retried once; writes never).
 */
import type { Bindings } from '../config'
import { DEFAULT_REF, type LocationHint, type WorkspaceRef } from '../domain/workspaces'
import type { Workspace } from '../store/workspace'

let jurisdictionsSimulated = false

/**
 * The object for `name` in the namespace of `jurisdiction`. workerd (`wrangler dev`, the tests)
 * does not implement jurisdictions and says so by throwing; there the plain namespace stands in,
 * which is said once in the log. In production a jurisdiction is always honoured or the call fails.
 */
export function objectIn<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  jurisdiction: WorkspaceRef['jurisdiction'],
  name: string,
  options?: DurableObjectNamespaceGetDurableObjectOptions,
): DurableObjectStub<T> {
  if (jurisdiction && !jurisdictionsSimulated) {
    try {
      return namespace.jurisdiction(jurisdiction).getByName(name, options)
    } catch (error) {
      if (!/not implemented in workerd/i.test(error instanceof Error ? error.message : String(error))) throw error
      jurisdictionsSimulated = true
      console.warn(
        JSON.stringify({
          level: 'warn',
          msg: 'Durable Object jurisdictions are not implemented in workerd: placing every workspace in the plain namespace',
        }),
      )
    }
  }
  return namespace.getByName(name, options)
}

/**
 * The store of a workspace, its idempotent reads retried once after a transient failure; a location
 * hint only matters on the call that first creates the object.
 */
export const workspaceStore = (env: Bindings, ref: WorkspaceRef = DEFAULT_REF, locationHint?: LocationHint | null) =>
  retryingReads(objectIn(env.WORKSPACE, ref.jurisdiction, ref.slug, locationHint ? { locationHint } : undefined))

/**
 * The store calls that only read, so that running one twice is harmless. Only these are retried
 * (once) when the object was briefly unavailable; a write is never retried blindly, since it may
 * have committed before the connection broke.
 */
export const IDEMPOTENT_READS = new Set<string>([
  'me',
  'credentialsFor',
  'listUsers',
  'getUser',
  'passwordHashFor',
  'listProjects',
  'getProject',
  'listTickets',
  'listMyTickets',
  'getTicket',
  'getTicketByKey',
  'ticketHistory',
  'ticketComments',
  'ticketComment',
  'canAttach',
  'isAttached',
  'getAttachment',
  'listAttachments',
  'dashboard',
  'ticketsByStatus',
  'ticketsByPriority',
  'ticketsByDepartment',
  'userActivity',
  'listRules',
  'getRule',
  'listNotifications',
  'emailsFor',
  'workspace',
  'listApiTokens',
] satisfies (keyof Workspace)[])

/**
 * Whether a failed call may be tried again: the runtime marks transient failures (a reset, a
 * broken connection) `retryable`; an `overloaded` object must not get more load.
 */
export function mayRetry(error: unknown) {
  const flags = error as { retryable?: unknown; overloaded?: unknown } | null
  return flags?.retryable === true && flags.overloaded !== true
}

/** A stub whose idempotent reads are tried a second time after a transient failure. */
export function retryingReads<T extends object>(stub: T, reads: ReadonlySet<string> = IDEMPOTENT_READS): T {
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      // Methods run on the stub itself (`fetch` refuses any other `this`; RPC methods have no `bind`).
      if (typeof property !== 'string' || !reads.has(property)) {
        return (...args: unknown[]) => Reflect.apply(value, target, args)
      }
      return async (...args: unknown[]) => {
        try {
          return await Reflect.apply(value, target, args)
        } catch (error) {
          if (!mayRetry(error)) throw error
          return await Reflect.apply(value, target, args)
        }
      }
    },
  })
}

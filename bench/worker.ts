/**
 * Benchmark-only Worker entry (bench/wrangler.bench.toml), never deployed: the production app from
 * `src/index.ts` (every request except `/__bench/*` goes to it untouched) plus routes that exist
 * only in this build, served by their own `createApp()` so they pass the same global middleware.
 *
 * - `GET /__bench/runtime`: answers through the app's global middleware without touching the
 *   Durable Object, the runtime's ceiling.
 * - `GET /__bench/store`: one no-op RPC (`ping()`) into the Durable Object, the store's ceiling.
 * - `GET /__bench/pbkdf2`: one password hash at the production cost, the floor of a login.
 * - `POST /__bench/seed`, `GET /__bench/sample` (admin token): the documented fast path for seeding,
 *   which loops the store's own `createTicket` / `updateTicket` inside the Durable Object of the
 *   token's workspace (`default` for the bootstrap admin, a created workspace for its own admin),
 *   labels from the catalog included (the seed creates the labels first, through the public API).
 *
 * The Durable Object is a subclass of the production `Workspace` exported under the same class name,
 * so every production method runs unchanged; only `seedTickets` and `sampleTickets` are added.
 */
import { createApp } from '../src/app'
import { authenticate } from '../src/auth/middleware'
import { hashPassword } from '../src/auth/password'
import type { Bindings } from '../src/config'
import type { Priority } from '../src/domain/priorities'
import { DEFAULT_REF, type WorkspaceRef } from '../src/domain/workspaces'
import production from '../src/index'
import { unwrap } from '../src/lib/errors'
import { fail, ok, type Result } from '../src/lib/result'
import { newWebhookSecret } from '../src/lib/standard-webhooks'
import { workspaceStore } from '../src/lib/workspace-objects'
import { directory } from '../src/store/client'
import type { Actor, Principal, StoreContext } from '../src/store/db/context'
import { all, count, nowIso } from '../src/store/db/sql'
import { createTicket } from '../src/store/tickets/create'
import { updateTicket } from '../src/store/tickets/operations'
import { resolvePrincipal } from '../src/store/users/sessions'
import { Workspace } from '../src/store/workspace'

export interface SeedSpec {
  /** How many tickets this call creates. */
  count: number
  /** Index of the first ticket of this call in the whole seed, so batches continue the pattern. */
  offset: number
  /** Project ids; every fourth ticket has no project (a `TSK-` key). */
  projectIds: string[]
  /** User ids; ticket i is assigned to assigneeIds[i % n]. */
  assigneeIds: string[]
  /**
   * Label names from the workspace's catalog, the most common first and the rarest last: ticket i
   * gets 0–2 of them (`labelsFor`). Absent or empty: no labels.
   */
  labels?: string[]
  /** Leave every ticket open (no status moves) and answer with them all, as samples. */
  open?: boolean
}

export interface TicketSample {
  id: string
  key: string
  status: string
}

const PRIORITIES: Priority[] = ['low', 'medium', 'medium', 'high', 'critical']
const DEPARTMENTS = ['IT', 'HR', 'Finance', 'Sales', null]
const WORDS = ['printer', 'laptop', 'vpn', 'invoice', 'badge', 'email', 'monitor', 'payroll', 'wifi', 'license']

/** A 32-bit integer hash (so the labels do not line up with the patterns above, which are all i mod n). */
function mix(i: number) {
  let x = Math.imul(i ^ (i >>> 16), 0x45d9f3b)
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b)
  return (x ^ (x >>> 16)) >>> 0
}

/**
 * The labels of ticket i, 0–2 of `names` (most common first, rarest last), skewed: the first on 30%
 * of the tickets, the last on 1%, each of the others on about 10% (6.5% as the first label, 3.5%
 * as a second one); 30% of the tickets have none.
 */
export function labelsFor(i: number, names: readonly string[]): string[] {
  const common = names[0]
  const rare = names.length > 1 ? names[names.length - 1] : undefined
  const others = names.slice(1, -1)
  const u = mix(i) % 1000
  const head = u < 300 ? common : u < 310 ? rare : u < 700 && others.length > 0 ? others[u % others.length] : undefined
  if (head === undefined) return []
  const v = mix(i + 0x9e3779b9) % 100
  const second = v < 30 && others.length > 0 ? others[v % others.length] : undefined
  return second !== undefined && second !== head ? [head, second] : [head]
}

class BenchWorkspace extends Workspace {
  /**
   * The production store context (`Workspace` keeps it in a TypeScript-private field, which is a
   * plain property at run time), so seeding runs with exactly the settings requests run with;
   * except that seeded changes never send email: their notifications are in-app only.
   */
  private benchContext(): StoreContext {
    const production = (this as unknown as { store?: StoreContext }).store
    const base = production ?? ({ storage: this.ctx.storage, sql: this.ctx.storage.sql } as StoreContext)
    return { ...base, emailEnabled: false }
  }

  private benchAdmin(actor: Actor): Principal | null {
    const caller = resolvePrincipal(this.ctx.storage.sql, actor)
    return caller?.role === 'admin' ? caller : null
  }

  /**
   * Creates `spec.count` tickets through the store's own `createTicket`, as the calling admin, then
   * moves 40% of them on through `updateTicket` (25% in progress, 15% closed), all in this one call;
   * with `spec.open`, leaves them all open and answers with them (for a pool made in a given setting,
   * such as tickets created while SLA policies are on).
   */
  seedTickets(actor: Actor, spec: SeedSpec): Result<{ created: number; total: number; tickets?: TicketSample[] }> {
    const caller = this.benchAdmin(actor)
    if (!caller) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
    const ctx = this.benchContext()
    const opened: TicketSample[] = []
    for (let n = 0; n < spec.count; n++) {
      const i = spec.offset + n
      const projectId = i % 4 === 3 ? null : (spec.projectIds[i % spec.projectIds.length] ?? null)
      const assignee = spec.assigneeIds[i % Math.max(spec.assigneeIds.length, 1)]
      const word = WORDS[i % WORDS.length]
      const created = createTicket(ctx, caller, {
        title: `Bench ticket ${i}: ${word} problem`,
        description: `Seeded for the benchmark. The ${word} in room ${i % 97} needs attention (${i}).`,
        priority: PRIORITIES[i % PRIORITIES.length] as Priority,
        department: DEPARTMENTS[i % DEPARTMENTS.length] ?? null,
        projectId,
        assigneeIds: assignee ? [assignee] : [],
        labels: spec.labels?.length ? labelsFor(i, spec.labels) : [],
      })
      if (!created.ok) return created
      const { id, key, status } = created.value.ticket
      if (spec.open) {
        opened.push({ id, key, status })
        continue
      }
      const bucket = i % 20
      if (bucket < 8) {
        const moved = updateTicket(ctx, caller, id, { status: 'in_progress' })
        if (!moved.ok) return moved
        if (bucket < 3) {
          const closed = updateTicket(ctx, caller, id, { status: 'closed' })
          if (!closed.ok) return closed
        }
      }
    }
    const total = count(ctx.sql, 'SELECT count(*) AS n FROM tickets')
    return ok({ created: spec.count, total, ...(spec.open && { tickets: opened }) })
  }

  /**
   * Subscribes endpoints to every event, as `POST /api/v1/webhooks` would, minus its URL rule: the
   * bench build runs as production, which refuses the bench's receiver on 127.0.0.1. `urls: []`
   * removes them again (with their deliveries).
   */
  setBenchWebhooks(actor: Actor, urls: string[]): Result<{ webhooks: number }> {
    if (!this.benchAdmin(actor)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
    const sql = this.ctx.storage.sql
    this.ctx.storage.transactionSync(() => {
      sql.exec(
        "DELETE FROM webhook_deliveries WHERE webhook_id IN (SELECT id FROM webhooks WHERE description = 'bench')",
      )
      sql.exec("DELETE FROM webhooks WHERE description = 'bench'")
      const now = nowIso()
      for (const url of urls) {
        sql.exec(
          `INSERT INTO webhooks (id, url, description, events, project_id, active, secret, created_at, updated_at)
           VALUES (?, ?, 'bench', '["*"]', NULL, 1, ?, ?, ?)`,
          crypto.randomUUID(),
          url,
          newWebhookSecret(),
          now,
          now,
        )
      }
    })
    return ok({ webhooks: urls.length })
  }

  /** `limit` tickets in `status`, spread evenly over the whole table (not just the newest). */
  sampleTickets(actor: Actor, status: string, limit: number): Result<TicketSample[]> {
    if (!this.benchAdmin(actor)) return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
    const sql = this.ctx.storage.sql
    const matching = count(sql, 'SELECT count(*) AS n FROM tickets WHERE status = ?', status)
    const step = Math.max(1, Math.floor(matching / Math.max(limit, 1)))
    const rows = all<{ id: string; key: string; status: string; n: number }>(
      sql,
      `SELECT id, key, status, n FROM (
         SELECT id, key, status, row_number() OVER (ORDER BY seq) AS n FROM tickets WHERE status = ?
       ) WHERE (n - 1) % ? = 0 LIMIT ?`,
      status,
      step,
      limit,
    )
    return ok(rows.map(({ id, key, status }) => ({ id, key, status })))
  }
}

// Everything the production entry exports (handlers and classes), with the Durable Object class
// replaced by its bench subclass under the same name, so the bindings are those of wrangler.toml.
export * from '../src/index'
export { BenchWorkspace as Workspace }

/** A workspace's object, addressed as production addresses it (the ceiling route uses `default`). */
const benchStore = (env: Bindings, ref: WorkspaceRef = DEFAULT_REF) =>
  workspaceStore(env, ref) as unknown as DurableObjectStub<BenchWorkspace>

/** The bench routes, behind the same global middleware (request id, logging, headers, config, CORS). */
const bench = createApp()

bench.get('/__bench/runtime', (c) => c.json({ ok: true }, 200))

/**
 * One PBKDF2 hash at the production cost (a fresh salt, 100,000 iterations), behind the same global
 * middleware and nothing else: what a login costs at the least, so the bench can show what a login
 * costs above its hash.
 */
bench.get('/__bench/pbkdf2', async (c) => {
  await hashPassword('bench-password-1')
  return c.json({ ok: true }, 200)
})

bench.get('/__bench/store', async (c) => {
  await unwrap(benchStore(c.env).ping())
  return c.json({ ok: true }, 200)
})

/** The bench's own routes take a login session, as production's session-only routes do. */
const requireAuth = authenticate('session-only')

/** How often the directory was asked since its object started: zero outside logins and creations. */
bench.get('/__bench/directory', async (c) => c.json(await directory(c.env).stats(), 200))

bench.post('/__bench/seed', requireAuth, async (c) => {
  const spec = (await c.req.json()) as SeedSpec
  return c.json(await unwrap(benchStore(c.env, c.get('workspace')).seedTickets(c.get('auth').actor, spec)), 200)
})

bench.post('/__bench/webhooks', requireAuth, async (c) => {
  const { urls } = (await c.req.json()) as { urls: string[] }
  return c.json(await unwrap(benchStore(c.env, c.get('workspace')).setBenchWebhooks(c.get('auth').actor, urls)), 200)
})

bench.get('/__bench/sample', requireAuth, async (c) => {
  const status = c.req.query('status') ?? 'open'
  const limit = Number(c.req.query('limit') ?? '100')
  return c.json(
    await unwrap(benchStore(c.env, c.get('workspace')).sampleTickets(c.get('auth').actor, status, limit)),
    200,
  )
})

/**
 * Every other request goes to the production entry, untouched. bench/server.mjs serves this Worker
 * without Miniflare's assets router in front (see there), so the files under public/static, which
 * Cloudflare serves before the Worker runs, are handed to the ASSETS binding here.
 */
export default {
  ...production,
  fetch(request: Request, env: Bindings, ctx: ExecutionContext) {
    const { pathname } = new URL(request.url)
    if (pathname.startsWith('/static/')) return env.ASSETS.fetch(request)
    return (pathname.startsWith('/__bench/') ? bench : production).fetch(request, env, ctx)
  },
}

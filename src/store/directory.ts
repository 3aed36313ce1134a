/**
 * The Directory Durable Object: one for the whole service, the owner of workspace slugs. It knows
 * where each workspace lives (jurisdiction, location hint) and which slugs are taken, reserved or
 * tombstoned. Only login, register, refresh and workspace creation ask it (the Worker caches its
 * answers); no other request ever waits on it.
 *
 * Creating a workspace is reserve → initialise the workspace's object → confirm. A reservation
 * holds the slug for RESERVATION_MS; one that was never confirmed (its creator failed halfway) can
 * then be taken over with a higher reservation number, which makes the workspace's object discard
 * what the failed attempt left. A slug, once confirmed, is never given out again, even after the
 * workspace is deleted (its tombstone stays).
 */
import { DurableObject } from 'cloudflare:workers'
import type { Bindings } from '../config'
import { DEFAULT_WORKSPACE, type Placement } from '../domain/workspaces'
import { fail, ok, type Result } from '../lib/result'
import { migrate } from './db/migrate'
import type { Migration } from './db/migrations'
import { first, nowIso, run } from './db/sql'

export const RESERVATION_MS = 60_000

export const directoryMigrations: Migration[] = [
  {
    version: 1,
    name: 'workspace slugs',
    statements: [
      `CREATE TABLE workspaces (
        slug TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('reserved', 'active', 'deleted')),
        jurisdiction TEXT,
        location_hint TEXT,
        reservation INTEGER NOT NULL,
        reserved_until INTEGER NOT NULL,
        created_at TEXT,
        deleted_at TEXT
      ) STRICT`,
    ],
  },
]

type SlugRow = {
  slug: string
  state: 'reserved' | 'active' | 'deleted'
  jurisdiction: Placement['jurisdiction']
  location_hint: Placement['locationHint']
  reservation: number
  reserved_until: number
}

const placementOf = (row: SlugRow): Placement => ({ jurisdiction: row.jurisdiction, locationHint: row.location_hint })

/** A granted reservation; `abandoned` is where an unconfirmed earlier attempt placed its object. */
export interface Reservation {
  reservation: number
  abandoned: Placement | null
}

export class Directory extends DurableObject<Bindings> {
  private readonly sql: SqlStorage
  /** Calls per method since this instance started: how tests and the bench see who asks. */
  private readonly calls = { lookup: 0, reserve: 0, confirm: 0, release: 0, tombstone: 0 }

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, directoryMigrations))
  }

  private row(slug: string) {
    return first<SlugRow>(this.sql, 'SELECT * FROM workspaces WHERE slug = ?', slug)
  }

  /** Holds `slug` for a creation, or E_WORKSPACE_EXISTS when it is taken or being created. */
  reserve(slug: string, placement: Placement, now = Date.now()): Result<Reservation> {
    this.calls.reserve++
    if (slug === DEFAULT_WORKSPACE) return fail('E_WORKSPACE_EXISTS', { slug })
    const row = this.row(slug)
    if (row && (row.state !== 'reserved' || row.reserved_until > now)) return fail('E_WORKSPACE_EXISTS', { slug })
    const reservation = (row?.reservation ?? 0) + 1
    run(
      this.sql,
      `INSERT INTO workspaces (slug, state, jurisdiction, location_hint, reservation, reserved_until)
       VALUES (?, 'reserved', ?, ?, ?, ?)
       ON CONFLICT (slug) DO UPDATE SET jurisdiction = excluded.jurisdiction,
         location_hint = excluded.location_hint, reservation = excluded.reservation,
         reserved_until = excluded.reserved_until`,
      slug,
      placement.jurisdiction,
      placement.locationHint,
      reservation,
      now + RESERVATION_MS,
    )
    return ok({ reservation, abandoned: row ? placementOf(row) : null })
  }

  /** Makes a reserved slug a workspace; refused if the reservation was taken over meanwhile. */
  confirm(slug: string, reservation: number): Result<null> {
    this.calls.confirm++
    const written = run(
      this.sql,
      `UPDATE workspaces SET state = 'active', created_at = ?
       WHERE slug = ? AND state = 'reserved' AND reservation = ?`,
      nowIso(),
      slug,
      reservation,
    )
    return written === 1 ? ok(null) : fail('E_WORKSPACE_EXISTS', { slug })
  }

  /**
   * Gives a reserved slug back at once when its creation failed, instead of after RESERVATION_MS.
   * The row stays, so the next attempt's reservation number is higher than any the workspace's
   * object may have recorded.
   */
  release(slug: string, reservation: number): Result<null> {
    this.calls.release++
    run(
      this.sql,
      "UPDATE workspaces SET reserved_until = 0 WHERE slug = ? AND state = 'reserved' AND reservation = ?",
      slug,
      reservation,
    )
    return ok(null)
  }

  /** Where a live workspace is; null for unknown, reserved and deleted slugs. */
  lookup(slug: string): Placement | null {
    this.calls.lookup++
    const row = this.row(slug)
    return row?.state === 'active' ? placementOf(row) : null
  }

  /** Marks a workspace deleted; its slug stays taken. Idempotent. */
  tombstone(slug: string): Result<null> {
    this.calls.tombstone++
    run(
      this.sql,
      "UPDATE workspaces SET state = 'deleted', deleted_at = coalesce(deleted_at, ?) WHERE slug = ? AND state = 'active'",
      nowIso(),
      slug,
    )
    return ok(null)
  }

  stats() {
    return { ...this.calls }
  }
}

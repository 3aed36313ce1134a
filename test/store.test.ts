/**
 * The Workspace store below the HTTP surface, run inside a fresh Durable Object per test (a
 * workspace of its own, through `runInDurableObject`): schema migrations (versions, re-runs, a
 * failing migration rolled back whole), the indexes behind user and session lookups, transactions
 * that roll back on a returned failure, notifications without email, the daily sweep, orphaned
 * upload cleanup and the bootstrap admin.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { fail, ok } from '../src/lib/result'
import { migrate } from '../src/store/db/migrate'
import { type Migration, migrations } from '../src/store/db/migrations'
import { transact } from '../src/store/db/sql'
import { notify } from '../src/store/notifications'
import { ORPHAN_AGE_MS, sweepIfDue, sweepOrphans } from '../src/store/runtime/sweep'
import type { Workspace } from '../src/store/workspace'

const stub = () => env.WORKSPACE.getByName(`store-test-${crypto.randomUUID()}`)

/** Everything that makes up the schema: tables, indexes, triggers and views, with their SQL. */
const schemaOf = (sql: SqlStorage) =>
  sql
    .exec<{ type: string; name: string; sql: string | null }>(
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '_cf_%' ORDER BY type, name",
    )
    .toArray()

const appliedOf = (sql: SqlStorage) =>
  sql
    .exec<{ version: number; name: string; applied_at: string }>(
      'SELECT version, name, applied_at FROM _migrations ORDER BY version',
    )
    .toArray()

const lastVersion = migrations.at(-1)?.version ?? 0

describe('migrations', () => {
  it('have unique, positive, strictly rising versions (migrate skips any at or below the applied one)', () => {
    const versions = migrations.map((migration) => migration.version)
    expect(new Set(versions).size).toBe(versions.length)
    for (const [i, version] of versions.entries()) {
      expect(Number.isInteger(version) && version > 0, `version ${version}`).toBe(true)
      if (i > 0) expect(version, `after ${versions[i - 1]}`).toBeGreaterThan(versions[i - 1] ?? 0)
    }
    for (const migration of migrations) {
      expect(migration.name, `version ${migration.version}`).not.toBe('')
      expect(migration.statements.length, `version ${migration.version}`).toBeGreaterThan(0)
    }
  })

  it('are all applied once, in order, and recorded, when a workspace starts', async () => {
    const rows = await runInDurableObject(stub(), (_instance: Workspace, state) => appliedOf(state.storage.sql))
    expect(rows.map((row) => [row.version, row.name])).toEqual(migrations.map((m) => [m.version, m.name]))
  })

  it('change nothing when run again: no new _migrations rows, the same schema', async () => {
    const { before, after } = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const sql = state.storage.sql
      const before = { applied: appliedOf(sql), schema: schemaOf(sql) }
      migrate(state.storage)
      migrate(state.storage, migrations)
      return { before, after: { applied: appliedOf(sql), schema: schemaOf(sql) } }
    })
    expect(before.applied).toHaveLength(migrations.length)
    expect(before.schema.length).toBeGreaterThan(0)
    expect(after).toEqual(before)
  })

  it('roll a failing migration back whole, leaving the schema at the previous version', async () => {
    const added: Migration = {
      version: lastVersion + 1,
      name: 'a column that works',
      statements: ['ALTER TABLE projects ADD COLUMN colour TEXT'],
    }
    const broken: Migration = {
      version: lastVersion + 2,
      name: 'half of it works',
      statements: [
        'CREATE TABLE probe (id TEXT PRIMARY KEY) STRICT',
        'CREATE INDEX users_by_name_probe ON users (name)',
        "INSERT INTO meta (key, value) VALUES ('probe', 'written before the failure')",
        'INSERT INTO no_such_table (id) VALUES (1)',
      ],
    }
    const result = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const sql = state.storage.sql
      const schema = () => schemaOf(sql).map((entry) => `${entry.type} ${entry.name}: ${entry.sql}`)
      let error = ''
      try {
        migrate(state.storage, [...migrations, added, broken])
      } catch (thrown) {
        error = String(thrown)
      }
      const afterFailure = {
        versions: appliedOf(sql).map((row) => row.version),
        schema: schema(),
        metaProbe: sql.exec("SELECT count(*) AS n FROM meta WHERE key = 'probe'").one().n,
      }
      // The same list with the broken statement fixed: the failed migration was not marked done.
      const fixed = { ...broken, statements: [...broken.statements.slice(0, -1), 'SELECT 1'] }
      migrate(state.storage, [...migrations, added, fixed])
      return {
        error,
        afterFailure,
        versionsAfterFix: appliedOf(sql).map((row) => row.version),
        schemaAfterFix: schema(),
      }
    })

    expect(result.error).toMatch(/no such table/)
    const { afterFailure } = result
    // The earlier migration of the same run stays applied and recorded…
    expect(afterFailure.versions).toEqual([...migrations.map((m) => m.version), added.version])
    expect(afterFailure.schema).toContainEqual(expect.stringMatching(/^table projects: .*colour TEXT/s))
    // …and nothing of the failed one remains: not its table, its index, its row, nor its record.
    expect(afterFailure.schema.filter((entry) => /probe/.test(entry))).toEqual([])
    expect(afterFailure.metaProbe).toBe(0)
    expect(result.versionsAfterFix).toEqual([...afterFailure.versions, broken.version])
    expect(result.schemaAfterFix).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^table probe: /),
        expect.stringMatching(/^index users_by_name_probe: /),
      ]),
    )
  })
})

describe('the Workspace store', () => {
  it('serves every user and session lookup from an index', async () => {
    const plans = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const plan = (query: string, ...params: (string | number)[]) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...params)
          .toArray()
          .map((row) => row.detail)
          .join(' | ')
      return {
        byEmail: plan('SELECT * FROM users WHERE email = ?', 'a@b.c'),
        byId: plan('SELECT * FROM users WHERE id = ?', 'x'),
        page: plan('SELECT * FROM users WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 50', 'a', 'b'),
        byRole: plan("SELECT * FROM users WHERE role = 'manager' ORDER BY created_at, id LIMIT 50"),
        sessionsOfUser: plan('SELECT * FROM sessions WHERE user_id = ?', 'x'),
        expired: plan('DELETE FROM sessions WHERE expires_at <= ?', 'now'),
        emailOutbox: plan("SELECT id FROM notifications WHERE email_status = 'pending' ORDER BY seq LIMIT 100"),
        objectOutbox: plan('SELECT file_key FROM object_deletions ORDER BY requested_at LIMIT 500'),
      }
    })
    for (const [name, detail] of Object.entries(plans)) {
      expect(detail, name).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|PRIMARY KEY/)
      expect(detail, name).not.toMatch(/^SCAN users$|SCAN sessions(?! USING)/)
    }
  })

  it('rolls a mutation back when it returns a failure, and keeps it when it succeeds', async () => {
    const counts = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const sql = state.storage.sql
      const insert = (key: string) => sql.exec("INSERT INTO meta (key, value) VALUES (?, 'x')", key)
      const refused = transact(state.storage, () => {
        insert('half-written')
        return fail('E_USER_EMAIL_EXISTS')
      })
      const kept = transact(state.storage, () => {
        insert('written')
        return ok(null)
      })
      const n = (key: string) => sql.exec<{ n: number }>('SELECT count(*) AS n FROM meta WHERE key = ?', key).one().n
      return { refused: refused.ok, kept: kept.ok, halfWritten: n('half-written'), written: n('written') }
    })
    expect(counts).toEqual({ refused: false, kept: true, halfWritten: 0, written: 1 })
  })

  it('writes in-app notifications without email when email is not configured', async () => {
    const statuses = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const sql = state.storage.sql
      const now = new Date().toISOString()
      const id = crypto.randomUUID()
      sql.exec(
        "INSERT INTO users (id, name, email, role, active, password_hash, created_at, updated_at) VALUES (?, 'N', ?, 'user', 1, 'x', ?, ?)",
        id,
        `${id}@example.com`,
        now,
        now,
      )
      const sent = notify(
        sql,
        { userIds: [id, id, crypto.randomUUID()], ticketId: null, kind: 'rule', message: 'hi' },
        false,
        now,
      )
      const rows = sql
        .exec<{ email_status: string }>('SELECT email_status FROM notifications WHERE user_id = ?', id)
        .toArray()
      return { sent, rows: rows.map((row) => row.email_status) }
    })
    expect(statuses).toEqual({ sent: 1, rows: ['disabled'] })
  })

  it('sweeps expired sessions, old idempotency keys and upload claims once a day', async () => {
    const left = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const sql = state.storage.sql
      const ctx = { storage: state.storage, sql, workspace: 'default', emailEnabled: false }
      const old = '2020-01-01T00:00:00.000Z'
      const future = '2999-01-01T00:00:00.000Z'
      sql.exec(
        "INSERT INTO sessions (id, user_id, refresh_jti, created_at, refreshed_at, expires_at) VALUES ('gone', 'u', 'j', ?, ?, ?), ('kept', 'u', 'j', ?, ?, ?)",
        old,
        old,
        old,
        old,
        old,
        future,
      )
      sql.exec(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, response, created_at) VALUES ('u', 'k', 'h', '{}', ?)",
        old,
      )
      sql.exec("INSERT INTO upload_claims (file_key, claimed_at) VALUES ('f', ?)", old)
      sql.exec("DELETE FROM meta WHERE key = 'next_sweep_at'")
      const now = Date.now()
      const next = sweepIfDue(ctx, now)
      const again = sweepIfDue(ctx, now + 1000)
      const n = (table: string) => sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n
      return {
        nextInADay: next - now === 24 * 60 * 60 * 1000,
        notTwice: again === next,
        sessions: sql
          .exec<{ id: string }>('SELECT id FROM sessions')
          .toArray()
          .map((row) => row.id),
        keys: n('idempotency_keys'),
        claims: n('upload_claims'),
      }
    })
    expect(left).toEqual({ nextInADay: true, notTwice: true, sessions: ['kept'], keys: 0, claims: 0 })
  })

  it('deletes abandoned uploads that no record names, and only those', async () => {
    const keys = { orphan: `tickets/t/${crypto.randomUUID()}`, kept: `tickets/t/${crypto.randomUUID()}` }
    await env.ATTACHMENTS.put(keys.orphan, 'abandoned')
    await env.ATTACHMENTS.put(keys.kept, 'recorded')
    const workspace = stub()
    const youngSurvived = await runInDurableObject(workspace, async (_instance: Workspace, state) => {
      const sql = state.storage.sql
      sql.exec(
        `INSERT INTO attachments (id, ticket_id, file_key, filename, content_type, size, uploaded_by, created_at)
         VALUES (?, 't', ?, 'r.txt', 'text/plain', 8, 'u', ?)`,
        crypto.randomUUID(),
        keys.kept,
        new Date().toISOString(),
      )
      const ctx = { storage: state.storage, sql, workspace: 'default', emailEnabled: false }
      await sweepOrphans(ctx, env.ATTACHMENTS, 'tickets/', Date.now()) // too young: nothing goes
      const survived = (await env.ATTACHMENTS.head(keys.orphan)) !== null
      await sweepOrphans(ctx, env.ATTACHMENTS, 'tickets/', Date.now() + ORPHAN_AGE_MS + 60_000)
      return survived
    })
    expect(youngSurvived).toBe(true)
    expect(await env.ATTACHMENTS.head(keys.orphan)).toBeNull()
    expect(await env.ATTACHMENTS.head(keys.kept)).not.toBeNull()
  })

  it('answers an unknown session as an invalid token, as data', async () => {
    const result = await stub().me({ userId: crypto.randomUUID(), sessionId: crypto.randomUUID() })
    expect(result).toEqual({ ok: false, code: 'E_AUTH_TOKEN_INVALID' })
  })

  it('creates the bootstrap admin once, and never again after it is gone', async () => {
    const workspace = stub()
    const admin = { email: 'boot@example.com', name: 'Boot', passwordHash: 'pbkdf2-sha256$1$AA$AA' }
    expect(await workspace.bootstrapAdmin(admin)).toEqual({ ok: true, value: { created: true } })
    expect(await workspace.bootstrapAdmin(admin)).toEqual({ ok: true, value: { created: false } })
    await runInDurableObject(workspace, (_instance: Workspace, state) => {
      state.storage.sql.exec('DELETE FROM users')
    })
    expect(await workspace.bootstrapAdmin(admin)).toEqual({ ok: true, value: { created: false } })
    expect((await workspace.credentialsFor('boot@example.com')).credentials).toBeNull()
  })
})

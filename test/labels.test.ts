/**
 * Labels: the workspace's catalog (/api/v1/labels: names unique case-insensitively, `#rrggbb`
 * colours, read by anyone, written by managers and admins), labels on tickets (set on create and in
 * the partial PUT, unknown names refused naming them, changes in history), the `label` (all of them)
 * and `any_label` (any of them) list filters, and what renaming or deleting a catalog label does to
 * the tickets that carry it (new name or gone, version and ETag grown, filters following).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { components } from '../examples/api-types'
import {
  asAdmin,
  call,
  createTicket,
  expectError,
  expectStatus,
  nextLink,
  type Session,
  type Ticket,
  ticketHistory,
  updateTicket,
  userWithRole,
} from './helpers'

type Label = components['schemas']['Label']

let admin: Session
let manager: Session
let plain: Session

beforeAll(async () => {
  admin = await asAdmin()
  manager = await userWithRole('manager')
  plain = await userWithRole('user')
})

/** A request as `session`. */
const send = (session: Session, method: string, path: string, body?: unknown) =>
  call(method, path, { token: session.accessToken, body })

/** A fresh label name with a readable prefix. */
const fresh = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`

async function createLabel(session: Session, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/labels', { token: session.accessToken, body: { color: '#112233', ...body } })
  return expectStatus<Label>(res, 201)
}

const getTicket = async (session: Session, id: string) => {
  const res = await call('GET', `/api/v1/tickets/${id}`, { token: session.accessToken })
  return { body: await expectStatus<Ticket>(res, 200), etag: res.headers.get('ETag') }
}

async function listIds(session: Session, query: string) {
  const res = await call('GET', `/api/v1/tickets?${query}`, { token: session.accessToken })
  const ids = (await expectStatus<Ticket[]>(res, 200)).map((ticket) => ticket.id)
  return { ids, total: Number(res.headers.get('X-Total-Count')) }
}

describe('the label catalog', () => {
  it('creates, reads, lists, changes and deletes a label', async () => {
    const name = fresh('Bug')
    const res = await send(manager, 'POST', '/api/v1/labels', { name: `  ${name} `, color: '#D73A4A' })
    const label = await expectStatus<Label>(res, 201)
    expect(label).toMatchObject({ name, color: '#d73a4a', description: '' })
    expect(res.headers.get('Location')).toBe(`/api/v1/labels/${label.id}`)

    const read = await call('GET', `/api/v1/labels/${label.id}`, { token: plain.accessToken })
    expect(await expectStatus<Label>(read, 200)).toEqual(label)
    const listed = await call('GET', '/api/v1/labels?limit=200', { token: plain.accessToken })
    expect((await expectStatus<Label[]>(listed, 200)).map((l) => l.id)).toContain(label.id)

    const changed = await send(admin, 'PUT', `/api/v1/labels/${label.id}`, { color: '#0F0F0F', description: 'Broke' })
    const expected = { id: label.id, name, color: '#0f0f0f', description: 'Broke' }
    expect(await expectStatus<Label>(changed, 200)).toMatchObject(expected)
    await expectStatus(await call('DELETE', `/api/v1/labels/${label.id}`, { token: manager.accessToken }), 204)
    const gone = await call('GET', `/api/v1/labels/${label.id}`, { token: manager.accessToken })
    await expectError(gone, 404, 'E_LABEL_NOT_FOUND')
    const again = await call('DELETE', `/api/v1/labels/${label.id}`, { token: manager.accessToken })
    await expectError(again, 404, 'E_LABEL_NOT_FOUND')
    const unknown = await send(manager, 'PUT', `/api/v1/labels/${crypto.randomUUID()}`, { color: '#000000' })
    await expectError(unknown, 404, 'E_LABEL_NOT_FOUND')
  })

  it('keeps names unique case-insensitively, on create and on rename', async () => {
    const name = fresh('ui')
    const first = await createLabel(manager, { name })
    const clash = await send(manager, 'POST', '/api/v1/labels', { name: name.toUpperCase(), color: '#000000' })
    await expectError(clash, 409, 'E_LABEL_EXISTS')
    const other = await createLabel(manager, { name: fresh('ux') })
    const rename = await send(manager, 'PUT', `/api/v1/labels/${other.id}`, { name: ` ${name.toUpperCase()} ` })
    await expectError(rename, 409, 'E_LABEL_EXISTS')
    // A label may change the case of its own name.
    const recased = await send(manager, 'PUT', `/api/v1/labels/${first.id}`, { name: name.toUpperCase() })
    expect((await expectStatus<Label>(recased, 200)).name).toBe(name.toUpperCase())
  })

  it('refuses malformed names, colours and empty changes (422)', async () => {
    const bodies = [
      { name: '', color: '#000000' },
      { name: '   ', color: '#000000' },
      { name: 'x'.repeat(51), color: '#000000' },
      { name: 'a,b', color: '#000000' },
      { name: fresh('c'), color: '000000' },
      { name: fresh('c'), color: '#12345' },
      { name: fresh('c'), color: '#gggggg' },
      { name: fresh('c'), color: 'red' },
      { name: fresh('c') },
      { name: fresh('c'), color: '#000000', extra: true },
    ]
    for (const body of bodies) {
      await expectError(
        await call('POST', '/api/v1/labels', { token: manager.accessToken, body }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
    const longest = await createLabel(manager, { name: `${'y'.repeat(42)}${crypto.randomUUID().slice(0, 8)}` })
    expect(longest.name).toHaveLength(50)
    const empty = await call('PUT', `/api/v1/labels/${longest.id}`, { token: manager.accessToken, body: {} })
    await expectError(empty, 422, 'E_VALIDATION_ERROR')
  })

  it('lets anyone read it but only managers and admins write it (403)', async () => {
    const label = await createLabel(admin, { name: fresh('ops') })
    const asPlain = (method: string, path: string, body?: unknown) =>
      call(method, path, { token: plain.accessToken, body })
    const denied = [
      await asPlain('POST', '/api/v1/labels', { name: fresh('mine'), color: '#000000' }),
      await asPlain('PUT', `/api/v1/labels/${label.id}`, { name: fresh('mine') }),
      await asPlain('DELETE', `/api/v1/labels/${label.id}`),
    ]
    for (const res of denied) await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    expect(await expectStatus<Label>(await asPlain('GET', `/api/v1/labels/${label.id}`), 200)).toEqual(label)
    await expectError(await call('GET', '/api/v1/labels'), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('pages the catalog oldest first', async () => {
    const made = [
      await createLabel(manager, { name: fresh('p1') }),
      await createLabel(manager, { name: fresh('p2') }),
      await createLabel(manager, { name: fresh('p3') }),
    ]
    const seen: string[] = []
    let path: string | null = '/api/v1/labels?limit=2'
    while (path) {
      const res = await call('GET', path, { token: plain.accessToken })
      seen.push(...(await expectStatus<Label[]>(res, 200)).map((label) => label.id))
      path = nextLink(res)
    }
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.filter((id) => made.some((label) => label.id === id))).toEqual(made.map((label) => label.id))
  })
})

describe('labels on tickets', () => {
  let bug: Label
  let ui: Label

  beforeAll(async () => {
    bug = await createLabel(manager, { name: fresh('zz-bug') })
    ui = await createLabel(manager, { name: fresh('aa-ui') })
  })

  it('sets them on create as the catalog spells them, sorted, and refuses unknown names (400)', async () => {
    const ticket = await createTicket(plain, { labels: [bug.name.toUpperCase(), ui.name, bug.name] })
    expect(ticket.labels).toEqual([ui.name, bug.name])
    const missing = fresh('nope')
    const res = await call('POST', '/api/v1/tickets', {
      token: plain.accessToken,
      body: { title: 'Unknown label', description: '', labels: [ui.name, missing] },
    })
    const error = await expectError(res, 400, 'E_LABEL_NOT_FOUND')
    expect(error.details).toMatchObject({ missing: [missing] })
  })

  it('replaces them in the partial PUT, with history and a new version; the same set changes nothing', async () => {
    const ticket = await createTicket(plain, { labels: [bug.name] })
    const changed = await updateTicket(plain, ticket.id, { labels: [ui.name, bug.name] })
    expect(changed).toMatchObject({ labels: [ui.name, bug.name], version: ticket.version + 1 })
    const same = await updateTicket(plain, ticket.id, { labels: [bug.name.toUpperCase(), ui.name] })
    expect(same.version).toBe(changed.version)

    const missing = fresh('nope')
    const refused = await send(plain, 'PUT', `/api/v1/tickets/${ticket.id}`, { labels: [missing], title: 'No' })
    expect((await expectError(refused, 400, 'E_LABEL_NOT_FOUND')).details).toMatchObject({ missing: [missing] })
    expect((await getTicket(plain, ticket.id)).body).toMatchObject({ title: ticket.title, version: changed.version })

    const cleared = await updateTicket(plain, ticket.id, { labels: [] })
    expect(cleared).toMatchObject({ labels: [], version: changed.version + 1 })
    const history = (await ticketHistory(plain, ticket.id)).filter((entry) => entry.action === 'updated_labels')
    expect(history.map((entry) => [entry.oldValue, entry.newValue])).toEqual([
      [[bug.name], [ui.name, bug.name]],
      [[ui.name, bug.name], []],
    ])
  })

  it('filters with label (all of them) and any_label (any of them), case-insensitively', async () => {
    const extra = await createLabel(manager, { name: fresh('only') })
    const second = await createLabel(manager, { name: fresh('second') })
    const both = await createTicket(plain, { labels: [bug.name, extra.name] })
    const onlyExtra = await createTicket(manager, { labels: [extra.name] })
    const onlySecond = await createTicket(manager, { labels: [second.name] })
    await createTicket(manager)

    expect(await listIds(manager, `label=${extra.name}`)).toEqual({ ids: [onlyExtra.id, both.id], total: 2 })
    const all = await listIds(manager, `label=${extra.name.toUpperCase()},${bug.name}`)
    expect(all).toEqual({ ids: [both.id], total: 1 })
    expect(await listIds(manager, `label=${extra.name},${fresh('unknown')}`)).toEqual({ ids: [], total: 0 })
    const any = await listIds(manager, `any_label=${extra.name}, ${fresh('unknown')}`)
    expect(any).toEqual({ ids: [onlyExtra.id, both.id], total: 2 })
    expect(await listIds(manager, `any_label=${fresh('unknown')}`)).toEqual({ ids: [], total: 0 })
    const anyOf = await listIds(manager, `any_label=${extra.name},${second.name}&label=${extra.name}`)
    expect(anyOf).toEqual({ ids: [onlyExtra.id, both.id], total: 2 })
    const either = await listIds(manager, `any_label=${extra.name},${second.name}`)
    expect(either).toEqual({ ids: [onlySecond.id, onlyExtra.id, both.id], total: 3 })
    // A plain user sees only its own tickets through the filters too.
    expect(await listIds(plain, `label=${extra.name}`)).toEqual({ ids: [both.id], total: 1 })
    expect(await listIds(plain, `any_label=${extra.name},${second.name}`)).toEqual({ ids: [both.id], total: 1 })
    for (const query of ['label=', 'label=a,,b', 'any_label=%20', `label=${Array(21).fill('x').join(',')}`]) {
      const res = await call('GET', `/api/v1/tickets?${query}`, { token: manager.accessToken })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
  })

  it('pages a label filter without skipping or repeating a ticket', async () => {
    const tag = await createLabel(manager, { name: fresh('paged') })
    const made = [] as string[]
    for (let i = 0; i < 5; i++) made.push((await createTicket(manager, { labels: [tag.name] })).id)
    for (const query of [`label=${tag.name}`, `any_label=${tag.name}`]) {
      const seen: string[] = []
      let path: string | null = `/api/v1/tickets?${query}&limit=2`
      while (path) {
        const res = await call('GET', path, { token: manager.accessToken })
        seen.push(...(await expectStatus<Ticket[]>(res, 200)).map((ticket) => ticket.id))
        path = nextLink(res)
      }
      expect(seen).toEqual([...made].reverse())
    }
  })

  it('pages any_label over several labels in both creation orders, a ticket with both labels once', async () => {
    const [a, b, c] = [
      await createLabel(manager, { name: fresh('any-a') }),
      await createLabel(manager, { name: fresh('any-b') }),
      await createLabel(manager, { name: fresh('any-c') }),
    ]
    const sets = [[a], [b], [a, b], [c], [b], [a], [a, b], [b]]
    const made: string[] = []
    for (const labels of sets) {
      const ticket = await createTicket(manager, { labels: labels.map((label) => label.name) })
      if (!labels.includes(c)) made.push(ticket.id)
    }
    for (const [sort, expected] of [
      ['-createdAt', [...made].reverse()],
      ['createdAt', made],
    ] as const) {
      for (const limit of [1, 2, 3]) {
        const seen: string[] = []
        let path: string | null = `/api/v1/tickets?any_label=${a.name},${b.name}&sort=${sort}&limit=${limit}`
        while (path) {
          const res = await call('GET', path, { token: manager.accessToken })
          expect(Number(res.headers.get('X-Total-Count'))).toBe(made.length)
          seen.push(...(await expectStatus<Ticket[]>(res, 200)).map((ticket) => ticket.id))
          path = nextLink(res)
        }
        expect(seen, `${sort}, limit ${limit}`).toEqual(expected)
      }
    }
  })
})

describe('renaming and deleting a catalog label', () => {
  it('renames it on every ticket that carries it (version and ETag grow, filters follow)', async () => {
    const old = fresh('mm-old')
    const label = await createLabel(manager, { name: old })
    const keep = await createLabel(manager, { name: fresh('kk') })
    const carrier = await createTicket(plain, { labels: [label.name, keep.name] })
    const other = await createTicket(plain, { labels: [keep.name] })
    const before = await getTicket(plain, carrier.id)

    const renamed = `aa-${old}`
    await expectStatus(
      await call('PUT', `/api/v1/labels/${label.id}`, { token: manager.accessToken, body: { name: renamed } }),
      200,
    )
    const after = await getTicket(plain, carrier.id)
    expect(after.body).toMatchObject({ labels: [renamed, keep.name], version: before.body.version + 1 })
    expect(after.etag).not.toBe(before.etag)
    expect((await getTicket(plain, other.id)).body.version).toBe(other.version)
    expect((await listIds(plain, `label=${renamed}`)).ids).toEqual([carrier.id])
    expect((await listIds(plain, `label=${old}`)).ids).toEqual([])
    // A colour change leaves the tickets alone.
    await expectStatus(
      await call('PUT', `/api/v1/labels/${label.id}`, { token: manager.accessToken, body: { color: '#abcdef' } }),
      200,
    )
    expect((await getTicket(plain, carrier.id)).body.version).toBe(after.body.version)
  })

  it('takes a deleted label off every ticket (version grows), and a new label of that name is a new one', async () => {
    const name = fresh('doomed')
    const label = await createLabel(manager, { name })
    const keep = await createLabel(manager, { name: fresh('kept') })
    const carriers = [
      await createTicket(manager, { labels: [label.name, keep.name] }),
      await createTicket(plain, { labels: [label.name] }),
    ]
    const bystander = await createTicket(plain, { labels: [keep.name] })

    await expectStatus(await call('DELETE', `/api/v1/labels/${label.id}`, { token: admin.accessToken }), 204)
    const [first, second] = await Promise.all(carriers.map((ticket) => getTicket(manager, ticket.id)))
    expect(first?.body).toMatchObject({ labels: [keep.name], version: (carriers[0]?.version ?? 0) + 1 })
    expect(second?.body).toMatchObject({ labels: [], version: (carriers[1]?.version ?? 0) + 1 })
    expect((await getTicket(plain, bystander.id)).body.version).toBe(bystander.version)
    const unknown = await send(plain, 'PUT', `/api/v1/tickets/${bystander.id}`, { labels: [name] })
    expect((await expectError(unknown, 400, 'E_LABEL_NOT_FOUND')).details).toMatchObject({ missing: [name] })

    await createLabel(manager, { name })
    expect(await listIds(manager, `label=${name}`)).toEqual({ ids: [], total: 0 })
    expect((await listIds(manager, `any_label=${name},${keep.name}`)).ids).toEqual([bystander.id, carriers[0]?.id])
  })
})

describe('the count of a label filter', () => {
  it('is kept per label through creation, relabelling, ticket deletion and label deletion', async () => {
    const name = fresh('Counted')
    const label = await createLabel(manager, { name })
    const total = async () => (await listIds(manager, `label=${name}`)).total
    const first = await createTicket(plain, { labels: [name] })
    const second = await createTicket(plain, { labels: [name.toUpperCase()] })
    expect(await total()).toBe(2)
    await expectStatus(await send(manager, 'DELETE', `/api/v1/tickets/${first.id}`), 204)
    expect(await total()).toBe(1)
    await updateTicket(plain, second.id, { labels: [] })
    expect(await total()).toBe(0)
    await updateTicket(plain, second.id, { labels: [name] })
    expect((await listIds(manager, `label=${name}`)).ids).toEqual([second.id])
    expect(await total()).toBe(1)
    await expectStatus(await send(manager, 'DELETE', `/api/v1/labels/${label.id}`), 204)
    await createLabel(manager, { name })
    expect(await listIds(manager, `label=${name}`)).toEqual({ ids: [], total: 0 })
  })
})

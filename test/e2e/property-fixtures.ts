/**
 * The setup of the property-based conformance test: the sessions and the objects its generated
 * requests name. The admin is the seeded development admin; a fresh user registers like any
 * newcomer; the admin makes more accounts so that the rate-limited and destructive operations
 * have their own (one to log in as, one whose refresh tokens refresh may rotate, and one per five
 * sessions that logout may revoke, under the per-email login limit); users, tickets, projects,
 * rules and an attachment are made twice over: some to read and update, others for DELETE (and
 * for changing users) to use up. Every request here goes through
 * the suite's checked client, so setup answers are held to the document too. `cleanup` deletes
 * the workflow rules the run made (the suite's other tests share this server and its rules).
 */
import { checkedFetch, json, login, request, type Session, uniqueEmail } from './client'
import type { Pools } from './property-requests'

const ADMIN = { email: 'admin@company.com', password: 'password' }
const PASSWORD = 'property-pass-1'
/** Logins per account, under the per-email limit (10 a minute). */
const SESSIONS_PER_ACCOUNT = 5

export interface Fixtures extends Pools {
  admin: Session
  user: Session
  /** One live session per valid logout request, used in order. */
  logoutSessions: Session[]
  /** The session the schema-breaking logout requests are sent with. */
  logoutSpare: Session
  /** The refresh chain: the last one is live; each successful refresh adds its new token. */
  refreshTokens: string[]
  /** The ticket uploads go to, and the attachment downloads read. */
  uploadTicketId: string
  downloadAttachmentId: string
  cleanup: () => Promise<void>
}

type Id = { id: string }

async function listAll(path: string, token: string): Promise<Id[]> {
  const out: Id[] = []
  let next: string | undefined = `${path}?limit=200`
  while (next) {
    const res = await request('GET', next, { token })
    out.push(...(await json<Id[]>(res, 200)))
    const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('Link') ?? '')?.[1]
    next = link ? new URL(link).pathname + new URL(link).search : undefined
  }
  return out
}

export async function createFixtures(logouts: number): Promise<Fixtures> {
  const admin = await login(ADMIN.email, ADMIN.password)
  const as = (session: Session) => ({ token: session.accessToken })
  const post = async <T = Id>(path: string, body: unknown, session = admin) =>
    json<T & Id>(await request('POST', path, { ...as(session), body }), 201)
  const rulesBefore = new Set((await listAll('/api/v1/workflows', admin.accessToken)).map((rule) => rule.id))

  const email = uniqueEmail('property-user')
  await json(
    await request('POST', '/api/v1/auth/register', { body: { name: 'Property User', email, password: PASSWORD } }),
    201,
  )
  const user = await login(email, PASSWORD)
  const account = async (prefix: string) => {
    const address = uniqueEmail(prefix)
    const made = await post<{ email: string }>('/api/v1/users', { name: prefix, email: address, password: PASSWORD })
    return { id: made.id, email: address }
  }
  const loginAccount = await account('property-login')
  const refreshAccount = await account('property-refresh')
  const doomedUsers = [
    await account('property-doomed'),
    await account('property-doomed'),
    await account('property-doomed'),
  ]
  const sessions: Session[] = []
  while (sessions.length < logouts + 1) {
    const sessionsAccount = await account('property-sessions')
    for (let i = 0; i < SESSIONS_PER_ACCOUNT && sessions.length < logouts + 1; i++) {
      sessions.push(await login(sessionsAccount.email, PASSWORD))
    }
  }
  const refresh = await login(refreshAccount.email, PASSWORD)

  const projectKey = () => `P${crypto.randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`
  const project = await post('/api/v1/projects', { key: projectKey(), name: 'Property project' })
  const doomedProjects = [await post('/api/v1/projects', { key: projectKey(), name: 'Doomed project' })]
  type Ticket = Id & { key: string }
  const ticket = (body: Record<string, unknown>) =>
    post<Ticket>('/api/v1/tickets', { description: 'From setup', ...body })
  // Assigned to the registered user by the admin: that assignment is the user's notification.
  const main = await ticket({ title: 'Property main', projectId: project.id, assigneeIds: [user.user.id] })
  const second = await ticket({ title: 'Property second' })
  const doomedTickets = [await ticket({ title: 'Doomed one' }), await ticket({ title: 'Doomed two' })]
  const comments = [await post(`/api/v1/tickets/${main.id}/comments`, { body: 'First' })]
  comments.push(await post(`/api/v1/tickets/${main.id}/comments`, { body: 'Second' }))

  const attach = async (name: string) => {
    const bytes = new TextEncoder().encode(`property ${name}\n`)
    const grant = await json<{ uploadUrl: string; fileKey: string; headers: Record<string, string> }>(
      await request('POST', '/api/v1/attachments/presigned-url', {
        ...as(admin),
        body: { ticketId: main.id, filename: name, contentType: 'text/plain', size: bytes.byteLength },
      }),
      200,
    )
    await json(await checkedFetch(grant.uploadUrl, { method: 'PUT', body: bytes, headers: grant.headers }), 200)
    const record = {
      ticketId: main.id,
      fileKey: grant.fileKey,
      filename: name,
      contentType: 'text/plain',
      size: bytes.byteLength,
    }
    return post('/api/v1/attachments', record)
  }
  const attachment = await attach('kept.txt')
  const doomedAttachment = await attach('doomed.txt')

  // Inactive, so that they never act on the tickets of this or any other test.
  const rule = (name: string) =>
    post('/api/v1/workflows', { name, trigger: 'ticket_created', actions: { add_comment: 'Rule' }, active: false })
  const rules = [await rule('Property rule')]
  const doomedRules = [await rule('Doomed rule')]

  const notifications = await json<Id[]>(await request('GET', '/api/v1/notifications', as(user)), 200)
  const people = [admin.user.id, user.user.id, loginAccount.id]
  const ids = (items: Id[]) => items.map((item) => item.id)

  return {
    admin,
    user,
    logoutSessions: sessions.slice(1),
    logoutSpare: sessions[0] as Session,
    refreshTokens: [refresh.refreshToken],
    uploadTicketId: main.id,
    downloadAttachmentId: attachment.id,
    login: { email: loginAccount.email, password: PASSWORD },
    existing: {
      userId: [admin.user.id, user.user.id],
      ticketId: [main.id, second.id],
      ticketKey: [main.key, second.key],
      commentId: ids(comments),
      projectId: [project.id],
      ruleId: ids(rules),
      notificationId: ids(notifications),
      attachmentId: [attachment.id],
    },
    doomed: {
      userId: ids(doomedUsers),
      ticketId: ids(doomedTickets),
      projectId: ids(doomedProjects),
      ruleId: ids(doomedRules),
      attachmentId: [doomedAttachment.id],
    },
    references: {
      ticketId: [main.id, second.id],
      projectId: [project.id],
      project_id: [project.id],
      assigneeIds: people,
      assignee_id: people,
      reporter_id: people,
      assign_user: people,
      to: people,
    },
    cleanup: async () => {
      for (const made of await listAll('/api/v1/workflows', admin.accessToken)) {
        if (rulesBefore.has(made.id)) continue
        const res = await request('DELETE', `/api/v1/workflows/${made.id}`, as(admin))
        if (res.status !== 204) throw new Error(`could not delete workflow rule ${made.id}: ${res.status}`)
      }
    },
  }
}

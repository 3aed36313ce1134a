/**
 * Sends the property-based test's plans over real HTTP: fills in what is only known at send time
 * (tokens, a live refresh token, a fresh signed URL, a unique Idempotency-Key), sends with fetch
 * (the WebSocket route with node:http, which can see a 101), and returns the exchange together with
 * the oracle's verdict on the request exactly as sent (`problems`: how it breaks the document).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { baseUrl, json, request, type Session } from './client'
import type { Fixtures } from './property-fixtures'
import { pathValuesOf, requestProblems } from './property-operations'
import { OWN_REFRESH_TOKEN, type Plan, REFRESH_TOKEN } from './property-requests'
import type { SchemaArbitraries } from './property-schemas'

export interface Exchange {
  method: string
  url: string
  /** The URL with tokens replaced by `<token>`, for reports. */
  shownUrl: string
  /** As sent, with tokens replaced by `<token>`. */
  headers: Record<string, string>
  body?: string
  status: number
  responseHeaders: Headers
  text: string
  /** How the request as sent breaks the document; empty when the document calls it valid. */
  problems: string[]
}

const toHeaders = (raw: IncomingHttpHeaders) => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return headers
}

/** A GET through node:http, which reports a 101 Switching Protocols (fetch cannot). */
function upgradeGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: toHeaders(res.headers), text: '' })
    })
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: toHeaders(res.headers), text }))
    })
    req.on('error', reject)
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer from ${url}`)))
    req.end()
  })
}

export class Sender {
  private idempotency = 0

  constructor(
    private readonly fixtures: Fixtures,
    private readonly tools: SchemaArbitraries,
  ) {}

  private session(plan: Plan): Session | undefined {
    if (plan.as === 'admin') return this.fixtures.admin
    if (plan.as === 'user') return this.fixtures.user
    if (plan.as === 'throwaway')
      return (plan.valid && this.fixtures.logoutSessions.shift()) || this.fixtures.logoutSpare
    return undefined
  }

  /** A real signed URL, fresh: an upload grant for the plan's type and size, or an attachment's download URL. */
  private async signedUrl(plan: Plan, headers: Record<string, string>) {
    const token = this.fixtures.admin.accessToken
    if (plan.signed?.kind === 'download') {
      const res = await request('GET', `/api/v1/attachments/${this.fixtures.downloadAttachmentId}`, { token })
      return { url: new URL((await json<{ downloadUrl: string }>(res, 200)).downloadUrl) }
    }
    const { type, size } = plan.signed ?? { type: 'text/plain', size: 1 }
    const body = { ticketId: this.fixtures.uploadTicketId, filename: 'property.bin', contentType: type, size }
    const grant = await json<{ uploadUrl: string; headers: Record<string, string> }>(
      await request('POST', '/api/v1/attachments/presigned-url', { token, body }),
      200,
    )
    Object.assign(headers, grant.headers)
    return { url: new URL(grant.uploadUrl), bytes: new Uint8Array(size).map((_, i) => (i * 7) % 256) }
  }

  private async url(plan: Plan, headers: Record<string, string>) {
    const op = plan.operation
    let url: URL
    let bytes: Uint8Array<ArrayBuffer> | undefined
    if (plan.signed) {
      ;({ url, bytes } = await this.signedUrl(plan, headers))
      const segments = url.pathname.split('/')
      op.template.split('/').forEach((segment, i) => {
        const name = /^\{(.+)\}$/.exec(segment)?.[1]
        if (name && plan.path[name] !== undefined) segments[i] = encodeURIComponent(plan.path[name])
      })
      url.pathname = segments.join('/')
    } else {
      const path = op.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(plan.path[name] ?? ''))
      url = new URL(`${baseUrl()}${path}`)
    }
    for (const [name, value] of plan.query) url.searchParams.set(name, value)
    for (const name of plan.omit) url.searchParams.delete(name)
    return { url, bytes }
  }

  /** The body with the send-time values filled in. */
  private body(plan: Plan, session: Session | undefined): unknown {
    if (plan.body === undefined) return undefined
    return JSON.parse(JSON.stringify(plan.body), (_, value) => {
      if (value === REFRESH_TOKEN) return this.fixtures.refreshTokens.pop() ?? 'a-refresh-token-already-spent'
      if (value === OWN_REFRESH_TOKEN) return session?.refreshToken ?? ''
      return value
    })
  }

  async send(plan: Plan): Promise<Exchange> {
    const op = plan.operation
    const session = this.session(plan)
    const headers: Record<string, string> = { ...plan.headers }
    // Keys are remembered per caller for 24 hours and a reused key with another body is a
    // documented 422: a valid key gets a unique suffix so that two generated keys never collide.
    const key = Object.keys(headers).find((name) => name.toLowerCase() === 'idempotency-key')
    const keyParam = op.parameters.find((p) => p.name === 'idempotency-key')
    if (key && keyParam && this.tools.isValid(keyParam.schema, headers[key])) {
      headers[key] = `${headers[key]?.slice(0, 240)}-${++this.idempotency}`
    }
    const { url, bytes } = await this.url(plan, headers)
    const socket = plan.socket
    if (session && (!socket || socket.tokenIn === 'header')) headers.Authorization = `Bearer ${session.accessToken}`
    if (socket?.tokenIn === 'query' && session) url.searchParams.set('access_token', session.accessToken)
    if (socket?.tokenIn === 'generated') url.searchParams.set('access_token', socket.generated)
    const json = this.body(plan, session)
    const text = json === undefined ? undefined : JSON.stringify(json)
    if (text !== undefined) headers['Content-Type'] = plan.contentType ?? 'application/json'

    const problems = requestProblems(this.tools, op, {
      path: pathValuesOf(op.template, url.pathname),
      query: url.searchParams,
      headers: new Headers(headers),
      body: text,
      contentType: headers['Content-Type'],
    })
    let answer: { status: number; headers: Headers; text: string }
    if (socket) {
      if (socket.upgrade) {
        const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
        Object.assign(headers, {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': key,
        })
      }
      answer = await upgradeGet(url.href, headers)
    } else {
      const res = await fetch(url, { method: op.method, headers, body: bytes ?? text, redirect: 'manual' })
      answer = { status: res.status, headers: res.headers, text: await res.text() }
    }
    if (op.operationId === 'refreshTokens' && answer.status === 200) {
      this.fixtures.refreshTokens.push((JSON.parse(answer.text) as { refreshToken: string }).refreshToken)
    }
    const tokens = [this.fixtures.admin, this.fixtures.user, session].flatMap((s) =>
      s ? [s.accessToken, s.refreshToken] : [],
    )
    const redact = (value: string) => tokens.reduce((out, token) => out.replaceAll(token, '<token>'), value)
    return {
      method: op.method,
      url: url.href,
      shownUrl: redact(url.href),
      headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, redact(value)])),
      body: text === undefined ? (bytes ? `<${bytes.byteLength} bytes>` : undefined) : redact(text),
      status: answer.status,
      responseHeaders: answer.headers,
      text: answer.text,
      problems,
    }
  }

  /** A GET of the `Link: rel="next"` URL a valid list answer carried, as the same caller. */
  async follow(plan: Plan, next: string): Promise<Exchange> {
    const url = new URL(next)
    const query = [...url.searchParams.entries()]
    return this.send({
      ...plan,
      path: pathValuesOf(plan.operation.template, url.pathname),
      query,
      omit: [],
      headers: {},
    })
  }
}

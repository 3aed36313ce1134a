/**
 * A minimal HTTP client for the end-to-end suite: real fetch over real sockets. Every response it
 * returns has been checked against the OpenAPI document the server publishes (see conformance.ts):
 * a response that the document does not describe fails the test that received it.
 */
import { expect, inject } from 'vitest'
import { type Conformance, createConformance, type OpenApiDocument, type ReceivedResponse } from './conformance'

export const baseUrl = () => inject('baseUrl')

let conformance: Promise<Conformance> | undefined

/** The served document, fetched once per test file. */
export const servedDocument = async () => {
  const res = await fetch(`${baseUrl()}/openapi.json`)
  expect(res.status).toBe(200)
  return (await res.json()) as OpenApiDocument
}

const documented = () => {
  conformance ??= servedDocument().then(createConformance)
  return conformance
}

/** Fails (throws) unless the response is what the document declares for its operation and status. */
export async function expectConforming(received: ReceivedResponse) {
  const problems = await (await documented()).check(received)
  if (problems.length > 0) {
    throw new Error(`The response does not conform to the OpenAPI document:\n  ${problems.join('\n  ')}`)
  }
}

export const expectConformance = (method: string, url: string, res: Response) =>
  expectConforming({ method, url, status: res.status, headers: res.headers, text: () => res.clone().text() })

/** `fetch`, with the response checked against the document: for URLs the API hands out and for generated clients. */
export async function checkedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const req = new Request(input, init)
  const res = await fetch(req)
  await expectConformance(req.method, req.url, res)
  return res
}

export async function request(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.Authorization = `Bearer ${options.token}`
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] ??= 'application/json'
    body = JSON.stringify(options.body)
  }
  return checkedFetch(`${baseUrl()}${path}`, { method, headers, body })
}

export async function json<T = Record<string, unknown>>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  return JSON.parse(text) as T
}

export async function expectError(res: Response, status: number, code: string) {
  const body = await json<{ error: string; message: string; details: unknown }>(res, status)
  expect(body.error).toBe(code)
  expect(typeof body.message).toBe('string')
  expect(body.details).toBeTypeOf('object')
}

export const uniqueEmail = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`

export interface Session {
  accessToken: string
  refreshToken: string
  user: { id: string; role: string; email: string }
}

export async function login(email: string, password: string) {
  return json<Session>(await request('POST', '/api/v1/auth/login', { body: { email, password } }), 200)
}

/** A minimal HTTP client for the end-to-end suite: real fetch over real sockets. */
import { expect, inject } from 'vitest'

export const baseUrl = () => inject('baseUrl')

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
  return fetch(`${baseUrl()}${path}`, { method, headers, body })
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

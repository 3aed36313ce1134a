// Requests outside a load run: `json` builds one (the shape autocannon's `setupRequest` takes too),
// `call` sends it and reads the answer, `must` sends it and fails unless the answer is expected.

export const json = (method, path, token, body, extraHeaders = {}) => ({
  method,
  path,
  headers: {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...extraHeaders,
  },
  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
})

export async function call(base, request) {
  const response = await fetch(base + request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  })
  const text = await response.text()
  let body = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: response.status, body }
}

export async function must(base, request, expected = [200, 201]) {
  const answer = await call(base, request)
  if (!expected.includes(answer.status)) {
    throw new Error(
      `${request.method} ${request.path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 400)}`,
    )
  }
  return answer.body
}

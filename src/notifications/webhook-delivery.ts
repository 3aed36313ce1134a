/**
 * The webhook queue's consumer, in the Worker (never in a workspace's object): for each queued
 * delivery, asks its workspace what to send (null once delivered, failed or dropped, so a
 * redelivered message never sends twice), signs it per Standard Webhooks, POSTs it with a 10 s
 * timeout and without following redirects, and reports the outcome back; the workspace keeps the
 * log and schedules any retry itself. Messages are acknowledged once their outcome is recorded: if
 * recording fails, the queue redelivers (at least once). Secrets and bodies are never logged.
 */
import type { Bindings, WebhookJob } from '../config'
import { signDelivery } from '../lib/standard-webhooks'
import { workspaceStore } from '../lib/workspace-objects'
import type { AttemptOutcome } from '../store/webhooks/outbox'

/** The webhook queue's name in wrangler.toml (both environments). */
export const WEBHOOK_QUEUE_NAME = 'ticketing-webhooks'
export const DELIVERY_TIMEOUT_MS = 10_000
const KEPT_BODY_BYTES = 1024

/** One attempt: a 2xx is delivered; a redirect, any other status or no answer is a failure. */
export async function attempt(
  url: string,
  headers: Record<string, string>,
  body: string,
  fetcher: typeof fetch = fetch,
): Promise<AttemptOutcome> {
  const started = performance.now()
  try {
    const response = await fetcher(url, {
      method: 'POST',
      headers: { ...headers, 'user-agent': 'ticketing-api-webhooks/1' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    })
    const text = await readStart(response)
    return { status: response.status, durationMs: performance.now() - started, error: null, body: text }
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
    const message = timedOut ? 'timed out after 10 s' : error instanceof Error ? error.message : String(error)
    return { status: null, durationMs: performance.now() - started, error: message.slice(0, 200), body: null }
  }
}

/** The first KiB of an answer, for the log; the rest is never read. */
async function readStart(response: Response): Promise<string | null> {
  if (!response.body) return null
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < KEPT_BODY_BYTES) {
    const { done, value } = await reader.read()
    if (done || !value) break
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel().catch(() => undefined)
  const bytes = new Uint8Array(Math.min(size, KEPT_BODY_BYTES))
  let offset = 0
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset)
    bytes.set(part, offset)
    offset += part.byteLength
    if (offset >= bytes.length) break
  }
  return new TextDecoder().decode(bytes)
}

export async function deliverWebhooks(batch: MessageBatch<WebhookJob>, env: Bindings) {
  await Promise.all(
    batch.messages.map(async (message) => {
      const { workspace, jurisdiction, deliveryId } = message.body
      const store = workspaceStore(env, { slug: workspace, jurisdiction: jurisdiction ?? null })
      const found = await store.webhookDelivery(deliveryId)
      if (!found.ok || !found.value) return message.ack()
      const delivery = found.value
      const headers = await signDelivery(delivery.secrets, delivery.messageId, delivery.body)
      const outcome = await attempt(delivery.url, { ...headers }, delivery.body)
      // Acknowledged only once recorded: if recording fails, the queue redelivers the message.
      await store.recordWebhookAttempt(deliveryId, outcome)
      message.ack()
    }),
  )
}

// Measuring: one autocannon run (`load`), a warm-up plus a measured slice of every run of a
// scenario at once (`slice`), the setup request that tells whether a scenario can run, and the
// statistics that turn slices into one result (percentiles, medians, req/s).

import autocannon from 'autocannon'
import { round } from './common.mjs'
import { call } from './http.mjs'

function percentile(sorted, p) {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]
}

export const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b)
  if (sorted.length === 0) return null
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * One autocannon run; latencies measured per response (sub-millisecond), 2xx only. A request built
 * with a `key` (its workspace, say) also has its latency kept under that key, from when it was built
 * to its answer, for percentiles per key.
 */
export function load(base, next, seconds, connections) {
  return new Promise((resolve, reject) => {
    const latencies = []
    const byKey = {}
    const statuses = {}
    const failures = []
    const instance = autocannon(
      {
        url: base,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            setupRequest: (request, context) => {
              const { done, key, ...built } = next()
              context.done = done
              context.key = key
              context.sentAt = performance.now()
              context.request = `${built.method} ${built.path}`
              return { ...request, ...built }
            },
            onResponse: (status, body, context) => {
              context.done?.(status)
              if (context.key !== undefined && status >= 200 && status < 300) {
                byKey[context.key] ??= []
                byKey[context.key].push(performance.now() - context.sentAt)
              }
              if ((status < 200 || status > 299) && failures.length < 5) {
                failures.push({ request: context.request, status, body: String(body).slice(0, 300) })
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error)
        resolve({
          seconds: result.duration,
          latencies,
          byKey,
          errors: result.non2xx + result.errors,
          timeouts: result.timeouts,
          statuses,
          failures,
        })
      },
    )
    instance.on('response', (_client, status, _bytes, responseTime) => {
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status >= 200 && status < 300) latencies.push(responseTime)
    })
  })
}

/** Several measured slices of one workload as one result: req/s over all of them, merged latencies. */
export function summarize(slices) {
  const latencies = slices.flatMap((slice) => slice.latencies).sort((a, b) => a - b)
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0)
  const statuses = {}
  for (const slice of slices)
    for (const [code, n] of Object.entries(slice.statuses)) statuses[code] = (statuses[code] ?? 0) + n
  const failures = slices.flatMap((slice) => slice.failures).slice(0, 5)
  return {
    requests: latencies.length,
    seconds: round(seconds, 2),
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    /** The median of the slices' own p99s: what the scale ratio uses, so one disturbed slice cannot decide it. */
    p99OfSlices: median(
      slices.map((slice) =>
        percentile(
          [...slice.latencies].sort((a, b) => a - b),
          99,
        ),
      ),
    ),
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    timeouts: slices.reduce((sum, slice) => sum + slice.timeouts, 0),
    statuses,
    ...(failures.length > 0 && { failures }),
    slices: slices.map((slice) => round(slice.latencies.length / slice.seconds, 1)),
    cpuMs: cpuPerRequest(slices),
    ...perKey(slices),
  }
}

/**
 * The server's CPU milliseconds per 2xx answer: its user + system CPU over the measured slices
 * divided by the 2xx answers they got (all the slice's runs together, for a concurrent scenario).
 */
function cpuPerRequest(slices) {
  if (slices.some((slice) => typeof slice.cpuSeconds !== 'number')) return null
  const cpu = slices.reduce((sum, slice) => sum + slice.cpuSeconds, 0)
  const served = slices.reduce((sum, slice) => sum + slice.servedBySlice, 0)
  return served > 0 ? round((cpu * 1000) / served, 3) : null
}

/** With keyed requests: the p99 of each key over all slices, as its median and its worst. */
function perKey(slices) {
  const merged = {}
  for (const slice of slices)
    for (const [key, values] of Object.entries(slice.byKey ?? {})) {
      merged[key] ??= []
      merged[key].push(...values)
    }
  const p99s = Object.values(merged).map((values) =>
    percentile(
      values.sort((a, b) => a - b),
      99,
    ),
  )
  if (p99s.length === 0) return {}
  return { keys: p99s.length, p99PerKeyMedian: median(p99s), p99PerKeyWorst: Math.max(...p99s) }
}

/** Sends one request of each run; tells whether the scenario can run (optional routes may be absent). */
export async function setup(base, scenario, nexts) {
  for (const next of nexts) {
    const { done, key: _key, ...request } = next()
    const answer = await call(base, request)
    done?.(answer.status)
    if (answer.status === 404 && scenario.optional) return { skipped: 'route not present (404)' }
    if (answer.status < 200 || answer.status > 299) {
      return {
        failed: `setup: ${request.method} ${request.path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
      }
    }
  }
  return {}
}

/**
 * A warm-up (its errors count too), then one measured slice; all runs of a scenario at once.
 * `timing`: `warmup` and `duration` in seconds, and the `connections` of each run.
 */
export async function slice(base, nexts, timing) {
  const reclaim = () => Promise.all(nexts.map((next) => next.reclaim?.()))
  const warm = await Promise.all(nexts.map((next) => load(base, next, timing.warmup, timing.connections)))
  await reclaim()
  const cpuBefore = timing.cpu?.() ?? null
  const measured = await Promise.all(nexts.map((next) => load(base, next, timing.duration, timing.connections)))
  const cpuAfter = timing.cpu?.() ?? null
  await reclaim()
  // The server's CPU over the measured slice, shared by its runs (a concurrent scenario's workloads
  // run on the same server at once, so their CPU cannot be told apart).
  const cpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
  const served = measured.reduce((sum, run) => sum + run.latencies.length, 0)
  return measured.map((run, i) => ({
    ...run,
    errors: run.errors + warm[i].errors,
    failures: [...warm[i].failures, ...run.failures],
    cpuSeconds,
    servedBySlice: served,
  }))
}

/**
 * Which URLs a webhook may deliver to: `https://` only, no credentials, at most 2,048 characters,
 * and no IP literal in a private, loopback or link-local range, so the API cannot be pointed at the
 * network it runs in. In development, `http://localhost` and `http://127.0.0.1` are allowed too (a
 * receiver on the developer's machine). Host names are not resolved here: what matters is what the
 * URL says, and the platform's fetch does not reach private networks by name. Pure.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048

export type WebhookUrlProblem =
  | 'not_a_url'
  | 'too_long'
  | 'not_https'
  | 'has_credentials'
  | 'private_address'
  | 'has_fragment'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** IPv4 ranges no webhook may target: this network, private, shared (CGNAT), loopback, link-local, multicast and reserved. */
const BLOCKED_V4: [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10.0.0.0/8
  [0x64400000, 10], // 100.64.0.0/10
  [0x7f000000, 8], // 127.0.0.0/8
  [0xa9fe0000, 16], // 169.254.0.0/16
  [0xac100000, 12], // 172.16.0.0/12
  [0xc0000000, 24], // 192.0.0.0/24
  [0xc0a80000, 16], // 192.168.0.0/16
  [0xc6120000, 15], // 198.18.0.0/15
  [0xe0000000, 3], // 224.0.0.0/3: multicast and reserved
]

function ipv4(host: string): number | null {
  const parts = host.split('.')
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null
  return parts.reduce((value, part) => value * 256 + Number(part), 0)
}

const inRange = (address: number, [base, bits]: [number, number]) =>
  Math.floor(address / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits))

/** An IPv6 literal's first 16 bits and, for an IPv4-mapped or -compatible address, the IPv4 inside. */
function ipv6(host: string): { first: number; v4: number | null; loopback: boolean } | null {
  if (!host.startsWith('[') || !host.endsWith(']')) return null
  const text = host.slice(1, -1).toLowerCase()
  const mapped = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (mapped?.[1]) return { first: 0, v4: ipv4(mapped[1]), loopback: false }
  // The URL parser has already normalised the literal (compressed, hex); `::ffff:a.b.c.d` becomes hex.
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text)
  if (hexMapped?.[1] && hexMapped[2]) {
    return {
      first: 0,
      v4: Number.parseInt(hexMapped[1], 16) * 65536 + Number.parseInt(hexMapped[2], 16),
      loopback: false,
    }
  }
  const head = text.startsWith('::') ? '0' : (text.split(':')[0] ?? '')
  return { first: Number.parseInt(head, 16), v4: null, loopback: text === '::1' || text === '::' }
}

/** True when the host is an IP literal no webhook may reach. */
export function isBlockedAddress(host: string): boolean {
  const v4 = ipv4(host)
  if (v4 !== null) return BLOCKED_V4.some((range) => inRange(v4, range))
  const v6 = ipv6(host)
  if (!v6) return false
  if (v6.loopback) return true
  if (v6.v4 !== null) return BLOCKED_V4.some((range) => inRange(v6.v4 as number, range))
  const first = v6.first
  return (
    (first & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (first & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (first & 0xff00) === 0xff00 // ff00::/8 multicast
  )
}

/** What is wrong with a webhook URL, or null when it may be used. */
export function webhookUrlProblem(raw: string, development: boolean): WebhookUrlProblem | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return 'too_long'
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'not_a_url'
  }
  if (url.username || url.password) return 'has_credentials'
  if (url.hash) return 'has_fragment'
  const local = development && url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !local) return 'not_https'
  if (!development && isBlockedAddress(url.hostname)) return 'private_address'
  return null
}

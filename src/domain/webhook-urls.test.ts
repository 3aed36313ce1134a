import { describe, expect, it } from 'vitest'
import { isBlockedAddress, webhookUrlProblem } from './webhook-urls'

describe('webhook URLs', () => {
  it('take https URLs without credentials, up to 2,048 characters', () => {
    expect(webhookUrlProblem('https://hooks.example.com/tickets?team=ops', false)).toBeNull()
    expect(webhookUrlProblem('https://93.184.216.34/hook', false)).toBeNull()
    expect(webhookUrlProblem(`https://example.com/${'a'.repeat(2028)}`, false)).toBeNull()
    expect(webhookUrlProblem(`https://example.com/${'a'.repeat(2029)}`, false)).toBe('too_long')
    expect(webhookUrlProblem('http://hooks.example.com/', false)).toBe('not_https')
    expect(webhookUrlProblem('ftp://hooks.example.com/', false)).toBe('not_https')
    expect(webhookUrlProblem('https://user:secret@hooks.example.com/', false)).toBe('has_credentials')
    expect(webhookUrlProblem('https://hooks.example.com/#x', false)).toBe('has_fragment')
    expect(webhookUrlProblem('not a url', false)).toBe('not_a_url')
  })

  it('refuse private, loopback and link-local IP literals outside development', () => {
    for (const url of [
      'https://10.1.2.3/',
      'https://172.16.0.1/',
      'https://172.31.255.255/',
      'https://192.168.1.1/',
      'https://127.0.0.1/',
      'https://169.254.169.254/latest/meta-data',
      'https://0.0.0.0/',
      'https://100.64.0.1/',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://[::ffff:169.254.169.254]/',
    ]) {
      expect(webhookUrlProblem(url, false), url).toBe('private_address')
    }
    expect(webhookUrlProblem('https://172.32.0.1/', false)).toBeNull()
    expect(webhookUrlProblem('https://[2606:4700::1111]/', false)).toBeNull()
    expect(isBlockedAddress('example.com')).toBe(false)
  })

  it('allow http://localhost and http://127.0.0.1 in development only', () => {
    expect(webhookUrlProblem('http://localhost:8788/hook', true)).toBeNull()
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', true)).toBeNull()
    expect(webhookUrlProblem('http://localhost:8788/hook', false)).toBe('not_https')
    expect(webhookUrlProblem('http://10.0.0.1/hook', true)).toBe('not_https')
    expect(webhookUrlProblem('https://127.0.0.1/hook', true)).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { contentDisposition } from './content-disposition'

describe('contentDisposition', () => {
  it('quotes a plain ASCII name', () => {
    expect(contentDisposition('report.pdf')).toBe('attachment; filename="report.pdf"')
  })

  it('neutralises quotes, separators, CR/LF and path traversal', () => {
    expect(contentDisposition('a"b.txt')).toBe(`attachment; filename="a_b.txt"; filename*=UTF-8''a%22b.txt`)
    expect(contentDisposition('../../etc/passwd')).toBe('attachment; filename="passwd"')
    const header = contentDisposition('evil\r\nSet-Cookie: x=1.txt')
    expect(header).not.toMatch(/[\r\n]/)
    expect(header.startsWith('attachment; filename="evil__Set-Cookie: x=1.txt"')).toBe(true)
  })

  it('keeps non-ASCII names exactly in filename* (RFC 6266)', () => {
    expect(contentDisposition('Übersicht (v2).xlsx')).toBe(
      `attachment; filename="_bersicht (v2).xlsx"; filename*=UTF-8''%C3%9Cbersicht%20%28v2%29.xlsx`,
    )
    expect(contentDisposition('見積書.pdf')).toContain("filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf")
  })
})

/**
 * JSON bodies over 1 MiB are refused with 413 before they are parsed: at once when the declared
 * `Content-Length` is too big, and while streaming when the body has no declared length.
 */
import { bodyLimit } from 'hono/body-limit'
import { ApiError } from './errors'

export const MAX_JSON_BODY_BYTES = 1024 * 1024

export const jsonBodyLimit = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: () => {
    throw new ApiError('E_PAYLOAD_TOO_LARGE', {
      message: `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes`,
      details: { limit: MAX_JSON_BODY_BYTES },
    })
  },
})

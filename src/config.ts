/**
 * Configuration: the Worker's environment (vars and secrets) parsed once per isolate with zod into
 * a typed object. A bad value is a ConfigError naming the variable, never a silent `undefined`.
 * Secrets are optional here on purpose: a missing signing key is reported where tokens are issued.
 */
import { z } from '@hono/zod-openapi'
import type { Jurisdiction } from './domain/workspaces'

/** Secrets set with `wrangler secret put` (or `.dev.vars` locally); `wrangler types` cannot see them. */
export interface Secrets {
  JWT_SECRET_KEY?: string
  JWT_PRIVATE_KEY?: string
  BOOTSTRAP_ADMIN_EMAIL?: string
  BOOTSTRAP_ADMIN_PASSWORD?: string
  BOOTSTRAP_ADMIN_NAME?: string
  URL_SIGNING_KEY?: string
  R2_ACCOUNT_ID?: string
  R2_ACCESS_KEY_ID?: string
  R2_SECRET_ACCESS_KEY?: string
  R2_BUCKET_NAME?: string
}

/** A message on the email queue: which notification of which workspace to deliver. */
export interface EmailJob {
  workspace: string
  /** The workspace's jurisdiction, so the consumer reaches its object without a lookup. */
  jurisdiction?: Jurisdiction | null
  notificationId: string
}

/** A message on the webhook queue: which delivery of which workspace to attempt. */
export interface WebhookJob {
  workspace: string
  jurisdiction?: Jurisdiction | null
  deliveryId: string
}

/**
 * The generated Env, with the email bindings optional (without them, notifications are in-app
 * only) and the webhook queue optional (without it, deliveries wait in the outbox).
 */
export type Bindings = Omit<Env, 'EMAIL' | 'EMAIL_QUEUE' | 'WEBHOOK_QUEUE'> &
  Secrets & {
    EMAIL?: SendEmail
    EMAIL_QUEUE?: Queue<EmailJob>
    WEBHOOK_QUEUE?: Queue<WebhookJob>
  }

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    readonly variables: string[],
    message: string,
  ) {
    super(message)
  }
}

export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024

/** Images, PDF, plain text, CSV, JSON, common office formats and zip. */
export const DEFAULT_CONTENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/json',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/zip',
]

/** Unset and empty variables both mean "use the default". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional())

const wholeNumber = (fallback: number, min: number, max: number) =>
  optional(z.string().trim().regex(/^\d+$/, 'must be a whole number'))
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(z.number().int().min(min).max(max))

const list = optional(z.string()).transform((value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
)

const EnvSchema = z.object({
  ENVIRONMENT: optional(z.enum(['development', 'production'])).transform((value) => value ?? 'production'),
  JWT_ALGORITHM: optional(z.enum(['HS256', 'RS256'])).transform((value) => value ?? 'HS256'),
  JWT_SECRET_KEY: optional(z.string().min(32, 'must be at least 32 characters')),
  JWT_PRIVATE_KEY: optional(z.string().regex(/-----BEGIN PRIVATE KEY-----/, 'must be a PKCS#8 PEM private key')),
  JWT_ISSUER: optional(z.string().min(1)).transform((value) => value ?? 'ticketing-api'),
  JWT_AUDIENCE: optional(z.string().min(1)).transform((value) => value ?? 'ticketing-api'),
  ACCESS_TOKEN_EXPIRE_MINUTES: wholeNumber(15, 1, 24 * 60),
  REFRESH_TOKEN_EXPIRE_DAYS: wholeNumber(30, 1, 365),
  BOOTSTRAP_ADMIN_EMAIL: optional(z.email('must be an email address')),
  BOOTSTRAP_ADMIN_PASSWORD: optional(z.string().min(8, 'must be at least 8 characters')),
  BOOTSTRAP_ADMIN_NAME: optional(z.string().min(1).max(200)),
  CORS_ORIGINS: list,
  URL_SIGNING_KEY: optional(z.string().min(32, 'must be at least 32 characters')),
  MAX_UPLOAD_BYTES: wholeNumber(DEFAULT_MAX_UPLOAD_BYTES, 1, 5 * 1024 * 1024 * 1024),
  ALLOWED_CONTENT_TYPES: list,
  R2_ACCOUNT_ID: optional(z.string().regex(/^[a-f0-9]{32}$/, 'must be a Cloudflare account id')),
  R2_ACCESS_KEY_ID: optional(z.string().min(1)),
  R2_SECRET_ACCESS_KEY: optional(z.string().min(1)),
  R2_BUCKET_NAME: optional(z.string().min(3)),
  EMAIL_FROM: optional(z.email('must be an email address')).transform((value) => value ?? 'tickets@example.com'),
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error', 'silent'])).transform((value) => value ?? 'info'),
  WORKSPACE_SIGNUP: optional(z.enum(['open', 'closed'])),
})

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Config {
  environment: 'development' | 'production'
  jwt: {
    algorithm: 'HS256' | 'RS256'
    secret: string | undefined
    privateKeyPem: string | undefined
    issuer: string
    audience: string
    accessTtlSeconds: number
    refreshTtlSeconds: number
  }
  /** The first admin, created on first use of the credential endpoints; null when not configured. */
  bootstrapAdmin: { email: string; password: string; name: string } | null
  corsOrigins: string[]
  /** Sender address of notification emails. */
  emailFrom: string
  attachments: {
    maxBytes: number
    contentTypes: string[]
    /** Key for the API's own upload and download URLs; null: generated per isolate (development). */
    signingKey: string | null
    /** R2's S3 API credentials: when all are set, upload URLs are real R2 presigned URLs. */
    s3: { accountId: string; accessKeyId: string; secretAccessKey: string; bucket: string } | null
  }
  logLevel: LogLevel
  /** Who may create workspaces: anyone (`open`, the development default) or admins of `default`. */
  workspaceSignup: 'open' | 'closed'
}

/** The seed README's default admin. Only ever created when ENVIRONMENT is "development". */
const DEVELOPMENT_ADMIN = { email: 'admin@company.com', password: 'password', name: 'Admin User' }

export function parseConfig(env: Record<string, unknown>): Config {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? 'environment'),
      message: issue.message,
    }))
    throw new ConfigError(
      problems.map((problem) => problem.variable),
      `Invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
    )
  }
  const vars = parsed.data
  const configuredAdmin =
    vars.BOOTSTRAP_ADMIN_EMAIL && vars.BOOTSTRAP_ADMIN_PASSWORD
      ? {
          email: vars.BOOTSTRAP_ADMIN_EMAIL.trim().toLowerCase(),
          password: vars.BOOTSTRAP_ADMIN_PASSWORD,
          name: vars.BOOTSTRAP_ADMIN_NAME ?? 'Administrator',
        }
      : null
  return {
    environment: vars.ENVIRONMENT,
    jwt: {
      algorithm: vars.JWT_ALGORITHM,
      secret: vars.JWT_SECRET_KEY,
      privateKeyPem: vars.JWT_PRIVATE_KEY,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      accessTtlSeconds: vars.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      refreshTtlSeconds: vars.REFRESH_TOKEN_EXPIRE_DAYS * 24 * 60 * 60,
    },
    bootstrapAdmin: configuredAdmin ?? (vars.ENVIRONMENT === 'development' ? DEVELOPMENT_ADMIN : null),
    corsOrigins: vars.CORS_ORIGINS,
    emailFrom: vars.EMAIL_FROM,
    attachments: {
      maxBytes: vars.MAX_UPLOAD_BYTES,
      contentTypes:
        vars.ALLOWED_CONTENT_TYPES.length > 0
          ? vars.ALLOWED_CONTENT_TYPES.map((t) => t.toLowerCase())
          : DEFAULT_CONTENT_TYPES,
      signingKey: vars.URL_SIGNING_KEY ?? null,
      s3:
        vars.R2_ACCOUNT_ID && vars.R2_ACCESS_KEY_ID && vars.R2_SECRET_ACCESS_KEY && vars.R2_BUCKET_NAME
          ? {
              accountId: vars.R2_ACCOUNT_ID,
              accessKeyId: vars.R2_ACCESS_KEY_ID,
              secretAccessKey: vars.R2_SECRET_ACCESS_KEY,
              bucket: vars.R2_BUCKET_NAME,
            }
          : null,
    },
    logLevel: vars.LOG_LEVEL,
    workspaceSignup: vars.WORKSPACE_SIGNUP ?? (vars.ENVIRONMENT === 'development' ? 'open' : 'closed'),
  }
}

const cache = new WeakMap<object, Config>()

/** The config for this isolate's env object, parsed on first use. */
export function getConfig(env: Bindings): Config {
  let config = cache.get(env)
  if (!config) {
    config = parseConfig(env as unknown as Record<string, unknown>)
    cache.set(env, config)
  }
  return config
}

/**
 * Auth request and response schemas: login, registration, refresh, logout and the token pair.
 */
import { z } from '@hono/zod-openapi'
import { WorkspaceSlugSchema } from '../../lib/schemas'
import { EmailSchema, NameSchema, PasswordSchema, RoleSchema, UserSchema } from '../users/users.schemas'

export const LoginSchema = z
  .strictObject({
    email: EmailSchema,
    password: z.string().min(1).max(128).openapi({ example: 'password' }),
    workspace: WorkspaceSlugSchema.optional().openapi({
      description: 'The workspace to log in to; omitted: `default`',
      example: 'default',
    }),
  })
  .openapi('Login')

export const RegisterSchema = z
  .strictObject({
    name: NameSchema,
    email: EmailSchema,
    password: PasswordSchema,
    role: RoleSchema.optional().openapi({ description: 'Only `user` is accepted here; admins create other roles' }),
    workspace: WorkspaceSlugSchema.optional().openapi({
      description: 'The workspace to join; omitted: `default`',
      example: 'default',
    }),
  })
  .openapi('Register')

const RefreshTokenSchema = z.string().min(1).max(4096)

export const RefreshSchema = z.strictObject({ refreshToken: RefreshTokenSchema }).openapi('Refresh')

export const LogoutSchema = z.strictObject({ refreshToken: RefreshTokenSchema.optional() }).openapi('Logout')

export const TokenPairSchema = z
  .object({
    accessToken: z.string().openapi({ description: 'JWT, sent as `Authorization: Bearer <token>`' }),
    refreshToken: z.string().openapi({ description: 'Single use: each refresh returns a new one' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Access token lifetime in seconds', example: 900 }),
  })
  .openapi('TokenPair')

export const LoginResponseSchema = TokenPairSchema.extend({ user: UserSchema }).openapi('LoginResponse')

/**
 * The error catalog: every error code the API can answer with, its HTTP status and default message.
 * Shared by the Worker (which renders the envelope) and the Durable Object (which returns codes as
 * data), so a code means the same thing on both sides of the RPC boundary. Pure: no Hono, no I/O.
 */

export const errorCatalog = {
  E_BAD_REQUEST: { status: 400, message: 'The request body could not be read' },
  E_TICKET_INVALID_STATUS_TRANSITION: { status: 400, message: 'That status change is not allowed' },
  E_TICKET_INVALID_ASSIGNEE: { status: 400, message: 'Assignees must be existing, active users' },
  E_WORKFLOW_TRIGGER_MISMATCH: {
    status: 400,
    message: 'fromStatus and toStatus conditions need a rule whose trigger is status_changed',
  },
  E_WEBHOOK_URL_NOT_ALLOWED: { status: 400, message: 'Webhooks cannot be sent to that URL' },
  E_WATCHER_NOT_ALLOWED: { status: 400, message: 'A plain user may watch only tickets it can see' },
  E_USER_CURRENT_PASSWORD_INVALID: { status: 400, message: 'The current password is not correct' },
  E_USER_SELF_LOCKOUT: {
    status: 400,
    message: 'An admin cannot delete, deactivate or demote itself',
  },
  E_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'This Idempotency-Key was already used with a different request body',
  },
  E_AUTH_TOKEN_INVALID: { status: 401, message: 'The access token is missing, invalid or revoked' },
  E_AUTH_TOKEN_EXPIRED: { status: 401, message: 'The token has expired' },
  E_AUTH_INVALID_CREDENTIALS: { status: 401, message: 'Invalid email or password' },
  E_AUTH_INSUFFICIENT_PERMISSIONS: {
    status: 403,
    message: 'You do not have permission to do this',
  },
  E_AUTH_INSUFFICIENT_SCOPE: {
    status: 403,
    message: 'This API token lacks the scope this needs (details.requiredScope)',
  },
  E_AUTH_SESSION_REQUIRED: {
    status: 403,
    message: 'This needs a login session: an API token cannot do it',
  },
  E_NOT_FOUND: { status: 404, message: 'No such resource' },
  E_API_TOKEN_NOT_FOUND: { status: 404, message: 'API token not found' },
  E_WEBHOOK_NOT_FOUND: { status: 404, message: 'Webhook not found' },
  E_WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, message: 'Webhook delivery not found' },
  E_USER_NOT_FOUND: { status: 404, message: 'User not found' },
  E_TICKET_NOT_FOUND: { status: 404, message: 'Ticket not found' },
  E_PROJECT_NOT_FOUND: { status: 404, message: 'Project not found' },
  E_COMMENT_NOT_FOUND: { status: 404, message: 'Comment not found' },
  E_LABEL_NOT_FOUND: { status: 404, message: 'Label not found (on a ticket: create it in /api/v1/labels first)' },
  E_METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed on this resource' },
  E_USER_EMAIL_EXISTS: { status: 409, message: 'A user with this email already exists' },
  E_PROJECT_KEY_EXISTS: { status: 409, message: 'A project with this key already exists' },
  E_PROJECT_HAS_TICKETS: { status: 409, message: 'The project still has tickets' },
  E_WEBHOOK_INACTIVE: { status: 409, message: 'The webhook is turned off: set active to true first' },
  E_LABEL_EXISTS: { status: 409, message: 'A label with this name already exists' },
  E_WORKSPACE_EXISTS: { status: 409, message: 'That workspace slug is taken' },
  E_WORKSPACE_NOT_FOUND: { status: 404, message: 'Workspace not found' },
  E_WORKSPACE_CONFIRMATION_MISMATCH: {
    status: 400,
    message: 'To delete a workspace, send its slug as confirm',
  },
  E_WORKSPACE_PROTECTED: { status: 400, message: 'The default workspace cannot be deleted' },
  E_PRECONDITION_FAILED: {
    status: 412,
    message: 'The resource has changed since the version given in If-Match',
  },
  E_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  E_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Request bodies must be sent as Content-Type: application/json',
  },
  E_VALIDATION_ERROR: { status: 422, message: 'The request is not valid' },
  E_WORKFLOW_INVALID_RULE: { status: 422, message: 'The workflow rule is not valid' },
  E_NOTIFICATION_NOT_FOUND: { status: 404, message: 'Notification not found' },
  E_WORKFLOW_RULE_NOT_FOUND: { status: 404, message: 'Workflow rule not found' },
  E_ATTACHMENT_NOT_FOUND: { status: 404, message: 'Attachment not found' },
  E_ATTACHMENT_NOT_UPLOADED: {
    status: 400,
    message: 'No uploaded file with that key, size and type: upload it with the presigned URL first',
  },
  E_ATTACHMENT_EXISTS: { status: 409, message: 'That file is already attached' },
  E_UPLOAD_URL_INVALID: { status: 403, message: 'The signed upload URL is not valid' },
  E_UPLOAD_URL_EXPIRED: { status: 403, message: 'The signed upload URL has expired' },
  E_DOWNLOAD_URL_INVALID: { status: 403, message: 'The signed download URL is not valid' },
  E_DOWNLOAD_URL_EXPIRED: { status: 403, message: 'The signed download URL has expired: read the attachment again' },
  E_UPLOAD_ALREADY_USED: { status: 409, message: 'This upload URL has already been used' },
  E_UPLOAD_MISMATCH: { status: 400, message: 'The upload does not match what the URL was signed for' },
  E_LENGTH_REQUIRED: { status: 411, message: 'Uploads need a Content-Length header' },
  E_UPGRADE_REQUIRED: { status: 426, message: 'This endpoint speaks WebSocket: send Upgrade: websocket' },
  E_RATE_LIMITED: { status: 429, message: 'Too many attempts, try again later' },
  E_INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side' },
  E_SERVICE_MISCONFIGURED: { status: 503, message: 'The service is not configured correctly' },
  E_SERVICE_UNAVAILABLE: { status: 503, message: 'The workspace is busy, retry shortly' },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof errorCatalog

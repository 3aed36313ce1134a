/**
 * The schema, as an append-only list of migrations. Each runs once, in its own transaction, when
 * the Durable Object starts, and is recorded in `_migrations`. Never edit an applied migration:
 * add a new one. Every lookup the store makes has an index here.
 */

export interface Migration {
  version: number
  name: string
  statements: string[]
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'users and sessions',
    statements: [
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('user', 'manager', 'admin')),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX users_by_created ON users (created_at, id)',
      'CREATE INDEX users_by_role ON users (role, created_at, id)',
      'CREATE INDEX users_by_active ON users (active, created_at, id)',
      `CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        refresh_jti TEXT NOT NULL,
        created_at TEXT NOT NULL,
        refreshed_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT,
        revoked_reason TEXT
      ) STRICT`,
      'CREATE INDEX sessions_by_user ON sessions (user_id)',
      'CREATE INDEX sessions_by_expiry ON sessions (expires_at)',
      'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT',
    ],
  },
  {
    version: 2,
    name: 'projects, tickets, assignees, history, comments, idempotency keys',
    statements: [
      `CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX projects_by_created ON projects (created_at, id)',
      // One counter per key prefix (TSK, and each project key); never deleted, so keys never repeat.
      'CREATE TABLE key_counters (prefix TEXT PRIMARY KEY, next_number INTEGER NOT NULL) STRICT',
      `CREATE TABLE tickets (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'blocked', 'closed')),
        priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
        priority_rank INTEGER NOT NULL,
        department TEXT,
        project_id TEXT,
        reporter_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX tickets_by_status ON tickets (status, seq)',
      'CREATE INDEX tickets_by_priority ON tickets (priority, seq)',
      'CREATE INDEX tickets_by_priority_rank ON tickets (priority_rank, seq)',
      'CREATE INDEX tickets_by_department ON tickets (department, seq)',
      'CREATE INDEX tickets_by_project ON tickets (project_id, seq)',
      'CREATE INDEX tickets_by_reporter ON tickets (reporter_id, seq)',
      'CREATE INDEX tickets_by_updated ON tickets (updated_at, seq)',
      `CREATE TABLE ticket_assignees (
        ticket_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (ticket_id, user_id)
      ) STRICT, WITHOUT ROWID`,
      'CREATE INDEX assignees_by_user ON ticket_assignees (user_id, ticket_id)',
      // Full-text index of title and description, keyed by tickets.seq, kept in step by the store.
      "CREATE VIRTUAL TABLE tickets_fts USING fts5(title, description, tokenize = 'unicode61 remove_diacritics 2')",
      `CREATE TABLE ticket_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        ticket_id TEXT NOT NULL,
        user_id TEXT,
        rule_id TEXT,
        action TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        created_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX history_by_ticket ON ticket_history (ticket_id, seq)',
      `CREATE TABLE ticket_comments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        ticket_id TEXT NOT NULL,
        author_id TEXT,
        rule_id TEXT,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX comments_by_ticket ON ticket_comments (ticket_id, seq)',
      `CREATE TABLE idempotency_keys (
        user_id TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, key)
      ) STRICT, WITHOUT ROWID`,
      'CREATE INDEX idempotency_by_created ON idempotency_keys (created_at)',
    ],
  },
  {
    version: 3,
    name: 'workflow rules and notifications (with their email outbox state)',
    statements: [
      `CREATE TABLE workflow_rules (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        trigger TEXT NOT NULL,
        conditions TEXT NOT NULL,
        actions TEXT NOT NULL,
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX workflow_rules_by_trigger ON workflow_rules (active, trigger, seq)',
      `CREATE TABLE notifications (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        ticket_id TEXT,
        rule_id TEXT,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at TEXT NOT NULL,
        read_at TEXT,
        email_status TEXT NOT NULL CHECK (email_status IN ('disabled', 'pending', 'queued', 'sent', 'failed')),
        email_attempts INTEGER NOT NULL DEFAULT 0,
        email_message_id TEXT,
        email_updated_at TEXT
      ) STRICT`,
      'CREATE INDEX notifications_by_user ON notifications (user_id, seq)',
      'CREATE INDEX notifications_unread_by_user ON notifications (user_id, seq) WHERE read_at IS NULL',
      "CREATE INDEX notifications_outbox ON notifications (email_status, seq) WHERE email_status IN ('pending', 'queued')",
    ],
  },
  {
    version: 4,
    name: 'report aggregates: ticket counters and daily user activity',
    statements: [
      'CREATE TABLE ticket_counters (key TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID',
      `CREATE TABLE user_activity (
        day TEXT NOT NULL,
        user_id TEXT NOT NULL,
        created INTEGER NOT NULL DEFAULT 0,
        assigned INTEGER NOT NULL DEFAULT 0,
        closed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, user_id)
      ) STRICT, WITHOUT ROWID`,
      // Backfill from tickets that exist already, so the counters start exact.
      "INSERT INTO ticket_counters (key, n) SELECT 'status:' || status, count(*) FROM tickets GROUP BY status",
      "INSERT INTO ticket_counters (key, n) SELECT 'priority:' || priority, count(*) FROM tickets GROUP BY priority",
      `INSERT INTO ticket_counters (key, n)
       SELECT 'department:' || coalesce(department, ''), count(*) FROM tickets GROUP BY coalesce(department, '')`,
      `INSERT INTO ticket_counters (key, n)
       SELECT 'open_priority:' || priority, count(*) FROM tickets WHERE status != 'closed' GROUP BY priority`,
      `INSERT INTO user_activity (day, user_id, created)
       SELECT substr(created_at, 1, 10), reporter_id, count(*) FROM tickets GROUP BY 1, 2`,
    ],
  },
  {
    version: 5,
    name: 'attachments, one-time upload claims and the object deletion outbox',
    statements: [
      `CREATE TABLE attachments (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        ticket_id TEXT NOT NULL,
        file_key TEXT NOT NULL UNIQUE,
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        uploaded_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX attachments_by_ticket ON attachments (ticket_id, seq)',
      // An upload URL is good for one PUT: its file key is claimed here before the bytes go to R2.
      'CREATE TABLE upload_claims (file_key TEXT PRIMARY KEY, claimed_at TEXT NOT NULL) STRICT, WITHOUT ROWID',
      'CREATE INDEX upload_claims_by_time ON upload_claims (claimed_at)',
      // R2 objects to delete, written with the record's deletion and worked off by the alarm.
      'CREATE TABLE object_deletions (file_key TEXT PRIMARY KEY, requested_at TEXT NOT NULL) STRICT, WITHOUT ROWID',
    ],
  },
  {
    version: 6,
    name: 'ticket parties for /my and visibility; indexes for the outboxes',
    statements: [
      // Who is involved in a ticket (its reporter and assignees), keyed for "my tickets, newest first".
      `CREATE TABLE ticket_parties (
        user_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (user_id, seq)
      ) STRICT, WITHOUT ROWID`,
      'CREATE INDEX ticket_parties_by_ticket ON ticket_parties (seq)',
      `INSERT OR IGNORE INTO ticket_parties (user_id, seq)
       SELECT reporter_id, seq FROM tickets
       UNION SELECT a.user_id, t.seq FROM ticket_assignees a JOIN tickets t ON t.id = a.ticket_id`,
      // The partial index of version 3 is not usable for `email_status = 'pending'`: replace it.
      'DROP INDEX notifications_outbox',
      'CREATE INDEX notifications_by_email_status ON notifications (email_status, seq)',
      'CREATE INDEX object_deletions_by_time ON object_deletions (requested_at)',
    ],
  },
  {
    version: 7,
    name: 'per-user ticket counts, so X-Total-Count of /my is one row',
    statements: [
      'CREATE TABLE party_counts (user_id TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID',
      'INSERT INTO party_counts (user_id, n) SELECT user_id, count(*) FROM ticket_parties GROUP BY user_id',
    ],
  },
  {
    version: 8,
    name: 'API tokens',
    statements: [
      // Only the SHA-256 of a token is kept; `shown` is its first characters, to recognise it by.
      `CREATE TABLE api_tokens (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        shown TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT,
        revoked_reason TEXT
      ) STRICT`,
      'CREATE INDEX api_tokens_by_user ON api_tokens (user_id, seq)',
    ],
  },
  {
    version: 9,
    name: 'webhooks and their delivery outbox',
    statements: [
      `CREATE TABLE webhooks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        description TEXT NOT NULL,
        events TEXT NOT NULL,
        project_id TEXT,
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        disabled_reason TEXT,
        secret TEXT NOT NULL,
        previous_secret TEXT,
        previous_secret_until TEXT,
        failing_since TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX webhooks_by_active ON webhooks (active, seq)',
      // One row per event and endpoint, written in the change's transaction: the outbox and the log.
      `CREATE TABLE webhook_deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        webhook_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        queued_at TEXT,
        last_attempt_at TEXT,
        response_status INTEGER,
        response_body TEXT,
        duration_ms INTEGER,
        error TEXT,
        created_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq)',
      'CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, queued_at, next_attempt_at)',
      'CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at)',
    ],
  },
  {
    version: 10,
    name: 'labels, watchers, due dates and SLA timers',
    statements: [
      // The workspace's label catalog; names are unique case-insensitively (`name_key` is lower(name)).
      `CREATE TABLE labels (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL UNIQUE,
        color TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT`,
      'CREATE INDEX labels_by_name ON labels (name_key, seq)',
      // Which tickets carry a label, keyed for "tickets with this label, newest first"; the ticket's
      // own `labels` column holds the names, so reading a ticket needs no join.
      'CREATE TABLE ticket_labels (label_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (label_id, seq)) STRICT, WITHOUT ROWID',
      'CREATE INDEX ticket_labels_by_ticket ON ticket_labels (seq)',
      "ALTER TABLE tickets ADD COLUMN labels TEXT NOT NULL DEFAULT '[]'",
      // Due dates sort with nulls last both ways: ascending by `due_asc` (null = '~', after any
      // date), descending by `due_desc` (null = '', before any date).
      'ALTER TABLE tickets ADD COLUMN due_at TEXT',
      "ALTER TABLE tickets ADD COLUMN due_asc TEXT GENERATED ALWAYS AS (coalesce(due_at, '~')) VIRTUAL",
      "ALTER TABLE tickets ADD COLUMN due_desc TEXT GENERATED ALWAYS AS (coalesce(due_at, '')) VIRTUAL",
      'CREATE INDEX tickets_by_due_asc ON tickets (due_asc, seq)',
      'CREATE INDEX tickets_by_due_desc ON tickets (due_desc, seq)',
      // Counted in the `overdue_open` counter (due passed, not closed).
      'ALTER TABLE tickets ADD COLUMN overdue_counted INTEGER NOT NULL DEFAULT 0',
      // SLA targets as they stand: due instants, when first responded and resolved, which targets
      // were breached (JSON array), and the pause while blocked.
      'ALTER TABLE tickets ADD COLUMN sla_first_response_due_at TEXT',
      'ALTER TABLE tickets ADD COLUMN sla_resolution_due_at TEXT',
      'ALTER TABLE tickets ADD COLUMN sla_first_responded_at TEXT',
      'ALTER TABLE tickets ADD COLUMN sla_resolved_at TEXT',
      "ALTER TABLE tickets ADD COLUMN sla_breached TEXT NOT NULL DEFAULT '[]'",
      'ALTER TABLE tickets ADD COLUMN sla_paused_since TEXT',
      'ALTER TABLE tickets ADD COLUMN sla_paused_ms INTEGER NOT NULL DEFAULT 0',
      // Every pending instant the object must wake for: SLA targets and due dates. The alarm is set
      // for the earliest row.
      `CREATE TABLE deadlines (
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('first_response', 'resolution', 'due')),
        due_at TEXT NOT NULL,
        PRIMARY KEY (seq, kind)
      ) STRICT, WITHOUT ROWID`,
      'CREATE INDEX deadlines_by_time ON deadlines (due_at)',
      // The SLA report's aggregates: per day and priority, tickets given targets, targets met and
      // breached; `sla_outcomes` remembers what each ticket counted, so deleting it uncounts exactly.
      `CREATE TABLE sla_daily (
        day TEXT NOT NULL,
        priority TEXT NOT NULL,
        targeted INTEGER NOT NULL DEFAULT 0,
        met INTEGER NOT NULL DEFAULT 0,
        breached INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, priority)
      ) STRICT, WITHOUT ROWID`,
      `CREATE TABLE sla_outcomes (
        seq INTEGER NOT NULL,
        target TEXT NOT NULL,
        priority TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('targeted', 'met', 'breached')),
        day TEXT NOT NULL,
        PRIMARY KEY (seq, target)
      ) STRICT, WITHOUT ROWID`,
      // Watchers; the reporter and the assignees of existing tickets watch them.
      `CREATE TABLE ticket_watchers (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_seq INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (ticket_seq, user_id)
      ) STRICT`,
      'CREATE INDEX ticket_watchers_by_user ON ticket_watchers (user_id, ticket_seq)',
      `INSERT INTO ticket_watchers (ticket_seq, user_id, created_at)
       SELECT seq, user_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM ticket_parties ORDER BY seq, user_id`,
    ],
  },
  {
    version: 11,
    name: 'ticket count per label, so X-Total-Count of a label filter is one row',
    statements: [
      `INSERT INTO ticket_counters (key, n) SELECT 'label:' || label_id, count(*) FROM ticket_labels WHERE true
       GROUP BY label_id ON CONFLICT (key) DO UPDATE SET n = excluded.n`,
    ],
  },
]

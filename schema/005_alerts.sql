-- 005: alerting. Alerts with their per-channel deliveries (the outbox), the per rule and
-- target state the rules need across a restart, and maintenance silences.

-- One alert: what one rule decided to tell people about one cause (or a recovery).
-- The message is rendered once, when the alert is made, and stored: a retry or a send
-- after a restart sends the same words.
CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY,
  cause_id    TEXT NOT NULL,
  kind        TEXT NOT NULL,      -- 'alert' | 'recovery'
  rule        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,   -- ms since the Unix epoch
  subject     TEXT NOT NULL,
  verdict     TEXT NOT NULL,      -- the worst verdict kind in it
  summary     TEXT NOT NULL,      -- one sentence: what happened
  targets     TEXT NOT NULL,      -- JSON: [{ targetId, targetName, address, prefix, verdictId, kind }]
  message     TEXT NOT NULL,      -- JSON: { text, html, slack } as rendered
  acked_at    INTEGER,
  acked_by    TEXT
) STRICT;

CREATE INDEX alerts_by_created ON alerts (created_at);
CREATE INDEX alerts_by_cause ON alerts (cause_id, rule, kind);

-- The outbox: one row per alert and channel, written in the alert's transaction, before
-- anything is sent. The sender takes rows with state 'pending' and next_at due.
CREATE TABLE alert_deliveries (
  alert_id    INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  channel     TEXT NOT NULL,      -- 'email' | 'webhook'
  state       TEXT NOT NULL,      -- 'pending' | 'sent' | 'failed'
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,   -- ms: when the next attempt is due
  last_error  TEXT,
  sent_at     INTEGER,
  PRIMARY KEY (alert_id, channel)
) STRICT;

CREATE INDEX alert_deliveries_due ON alert_deliveries (state, channel, next_at);

-- Per rule and target: the last verdicts (for N-of-M persistence), when it last fired
-- (cooldown) and the alert that is firing (for the recovery notice).
CREATE TABLE alert_state (
  rule            TEXT NOT NULL,
  target_id       TEXT NOT NULL,
  recent          TEXT NOT NULL,  -- JSON: [{ causeId, hit }] oldest first, at most 100
  last_fired_at   INTEGER,
  firing_alert_id INTEGER,
  firing_since    INTEGER,
  firing_verdict  TEXT,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (rule, target_id)
) STRICT;

-- Maintenance silences: alerts for a target (id, name or address) or inside a prefix,
-- between start and end, are not sent.
CREATE TABLE silences (
  id          INTEGER PRIMARY KEY,
  prefix      TEXT,
  target      TEXT,
  start       INTEGER NOT NULL,
  end         INTEGER NOT NULL,
  comment     TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  CHECK (prefix IS NOT NULL OR target IS NOT NULL),
  CHECK (end > start)
) STRICT;

CREATE INDEX silences_by_end ON silences (end);

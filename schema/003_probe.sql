-- 003: what the prober keeps: API-made targets, traces, path changes and each target's
-- path-diff state (so a restart keeps the baseline).

-- Targets made through the API (config targets live in the config file and are not
-- stored). id is the target's name, as the scheduler and the API know it.
CREATE TABLE targets (
  id          TEXT PRIMARY KEY,
  address     TEXT NOT NULL,     -- as given: an IP literal or a host name (resolved once, at add)
  interval_ms INTEGER,           -- NULL: probe.interval
  backend     TEXT,              -- NULL: probe.backend
  source      TEXT NOT NULL DEFAULT 'api',
  created_at  INTEGER NOT NULL   -- ms since the Unix epoch
) STRICT;

-- One row per trace; hops and responders are the trace's JSON (read back whole, never
-- queried by hop). Read by target and time.
CREATE TABLE traces (
  id         INTEGER PRIMARY KEY,
  target_id  TEXT NOT NULL,
  address    TEXT NOT NULL,      -- the address probed (canonical)
  backend    TEXT NOT NULL,
  method     TEXT NOT NULL,
  start      INTEGER NOT NULL,   -- ms since the Unix epoch
  end        INTEGER NOT NULL,
  reached    INTEGER NOT NULL,   -- 0 / 1
  reason     TEXT NOT NULL,      -- "scheduled" or "trigger"
  trace      TEXT NOT NULL,      -- JSON: the Trace with its hops, responders and origin ASes
  stored_at  INTEGER NOT NULL    -- retention counts from here
) STRICT;

CREATE INDEX traces_by_target ON traces (target_id, start);
CREATE INDEX traces_by_stored ON traces (stored_at);

-- Path changes (model/path-change.ts) as JSON, per target and time.
CREATE TABLE path_changes (
  id         INTEGER PRIMARY KEY,
  target_id  TEXT NOT NULL,
  kind       TEXT NOT NULL,
  at         INTEGER NOT NULL,   -- start of the trace that made it a change, ms
  change     TEXT NOT NULL,      -- JSON: the PathChange
  stored_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX path_changes_by_target ON path_changes (target_id, at);
CREATE INDEX path_changes_by_stored ON path_changes (stored_at);

-- Each target's path-diff state (probe/pathdiff.ts PathState), replaced on every trace.
CREATE TABLE path_state (
  target_id  TEXT PRIMARY KEY,
  address    TEXT NOT NULL,      -- the address the state is about: a changed address starts afresh
  state      TEXT NOT NULL,      -- JSON
  updated_at INTEGER NOT NULL
) STRICT;

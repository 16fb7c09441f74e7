-- 006: auto-generated targets (src/targets/auto/): the targets smoketrace made itself from
-- BGP churn, origin/upstream ASes, traffic or a static list, and what probing each
-- prefix's candidate addresses found.

-- One row per prefix that is, or was, an auto target. id is the scheduler's target id.
CREATE TABLE auto_targets (
  id               TEXT PRIMARY KEY,  -- "auto-198.51.100.0/24"
  prefix           TEXT NOT NULL UNIQUE,
  address          TEXT NOT NULL,     -- the address probed (canonical)
  source           TEXT NOT NULL,     -- "churn", "asn", "traffic", "static"
  reason           TEXT NOT NULL,     -- for people: "top 3 by churn: 412 updates in 24h"
  score            REAL NOT NULL,     -- the source's own measure (updates, peers, bytes)
  state            TEXT NOT NULL,     -- "added", "confirmed", "expired"
  pinned           INTEGER NOT NULL DEFAULT 0,  -- 1: accepted through the API, never expires
  created_at       INTEGER NOT NULL,  -- ms since the Unix epoch
  updated_at       INTEGER NOT NULL,
  last_ranked_at   INTEGER NOT NULL,  -- the last refresh that ranked it
  withdrawn_since  INTEGER,           -- NULL while the prefix has a route
  expired_at       INTEGER,
  expired_why      TEXT
) STRICT;

CREATE INDEX auto_targets_by_state ON auto_targets (state);

-- The outcome of probing a prefix's candidate addresses: the one that answered, or none
-- (then the prefix is tried again only after auto_targets.recheck_unresponsive).
CREATE TABLE auto_prefix_checks (
  prefix      TEXT PRIMARY KEY,
  address     TEXT,                  -- NULL: nothing answered
  responsive  INTEGER NOT NULL,      -- 0 / 1
  checked_at  INTEGER NOT NULL,
  tried       TEXT NOT NULL          -- JSON array of the addresses probed
) STRICT;

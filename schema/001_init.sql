-- 001: the first tables. The migration runner keeps its own bookkeeping table,
-- schema_migrations, so a migration never has to create it. Never edit this file once
-- released: add 002_*.sql instead (the runner refuses a changed applied migration).

-- Facts about this database as a whole (e.g. when it was created).
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;

-- Periods in which a feed delivered nothing (session down, reconnecting, decode
-- failure), so a route change seen after one is not mistaken for a fresh event and an
-- operator can see why a verdict has no BGP evidence.
CREATE TABLE feed_gaps (
  id         INTEGER PRIMARY KEY,
  source     TEXT NOT NULL,     -- e.g. "ris", "bmp:192.0.2.1", "mrt:updates.20240101.0000"
  started_at INTEGER NOT NULL,  -- milliseconds since the Unix epoch
  ended_at   INTEGER,           -- NULL while the gap is still open
  reason     TEXT NOT NULL,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
) STRICT;

CREATE INDEX feed_gaps_by_source ON feed_gaps (source, started_at);

-- 002: what the BGP ingest keeps (the live routes themselves stay in memory, in the RIB).

-- Every change of a route of a monitored prefix (one covering a configured target, or
-- overlapping rib.monitor): attributes before and after as JSON, why and when. The
-- correlator joins these with traces; GET /api/route-changes reads them.
CREATE TABLE route_changes (
  id           INTEGER PRIMARY KEY,
  prefix       TEXT NOT NULL,     -- canonical text, e.g. "198.51.100.0/24"
  time         INTEGER NOT NULL,  -- the feed's own timestamp, ms since the Unix epoch
  source       TEXT NOT NULL,     -- "bmp", "ris-live", "mrt"
  router       TEXT NOT NULL,
  peer_address TEXT NOT NULL,
  peer_asn     INTEGER NOT NULL,
  route_table  TEXT NOT NULL,     -- "adj-rib-in-pre" ... "loc-rib"
  path_id      INTEGER,           -- ADD-PATH path identifier, NULL without ADD-PATH
  kind         TEXT NOT NULL,     -- "new", "path-change", "next-hop-change", "attribute-change", "withdraw"
  cause        TEXT NOT NULL,     -- "update", "withdraw", "peer-down", "router-down"
  reason       TEXT,              -- the feed's words for peer-down / router-down
  before_attrs TEXT,              -- JSON; NULL for "new"
  after_attrs  TEXT,              -- JSON; NULL for "withdraw"
  stored_at    INTEGER NOT NULL   -- when we stored it (ms); retention counts from here
) STRICT;

CREATE INDEX route_changes_by_prefix ON route_changes (prefix, time);
CREATE INDEX route_changes_by_time ON route_changes (time);
CREATE INDEX route_changes_by_stored ON route_changes (stored_at);

-- How often each prefix changed, per hour of feed time: effective announcements (new
-- route or changed attributes) and withdrawals, for every prefix. Counted only once a
-- peer table is in sync (after End-of-RIB for BMP; never for MRT RIB dumps), so a table
-- transfer is not churn. Input for auto-targets.
CREATE TABLE prefix_churn (
  prefix        TEXT NOT NULL,
  bucket        INTEGER NOT NULL,  -- start of the hour, ms since the Unix epoch
  announcements INTEGER NOT NULL DEFAULT 0,
  withdrawals   INTEGER NOT NULL DEFAULT 0,
  updated_at    INTEGER NOT NULL,  -- when last counted (ms); retention counts from here
  PRIMARY KEY (prefix, bucket)
) STRICT, WITHOUT ROWID;

CREATE INDEX prefix_churn_by_bucket ON prefix_churn (bucket);
CREATE INDEX prefix_churn_by_updated ON prefix_churn (updated_at);

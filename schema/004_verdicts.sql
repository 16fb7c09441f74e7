-- 004: the correlator's verdicts, one row per target per cause (correlate/correlator.ts).
-- The verdict itself is its API JSON (VerdictJson without the id); the columns beside it
-- are what it is looked up by. A cause handed on twice (a replay) stores its verdicts once.
CREATE TABLE verdicts (
  id          INTEGER PRIMARY KEY,
  cause_id    TEXT NOT NULL,     -- stable: derived from the BGP event (or path change) and its time
  cause_kind  TEXT NOT NULL,     -- 'route-change' | 'peer-down' | 'path-change'
  target_id   TEXT NOT NULL,
  at          INTEGER NOT NULL,  -- ms since the Unix epoch: the PathChange's time, else the latest RouteChange's
  kind        TEXT NOT NULL,     -- 'worse' | 'better' | 'same' | 'unreachable'
  verdict     TEXT NOT NULL,     -- JSON: VerdictJson (api/verdicts.ts) without id
  stored_at   INTEGER NOT NULL,  -- retention counts from here
  UNIQUE (cause_id, target_id)
) STRICT;

CREATE INDEX verdicts_by_at ON verdicts (at);
CREATE INDEX verdicts_by_target ON verdicts (target_id, at);
CREATE INDEX verdicts_by_stored ON verdicts (stored_at);

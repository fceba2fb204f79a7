#include "results/lut_schema.h"

namespace nas {

const char* lut_tables_sql() {
  return R"sql(
-- One row per block configuration measured alone on a device under a
-- measuring protocol. Not keyed by space: spaces that share a block share
-- its measurement.
CREATE TABLE lut_entries (
  device           TEXT NOT NULL,
  protocol         TEXT NOT NULL,
  block_key        TEXT NOT NULL,
  block_json       TEXT NOT NULL,
  median_ms        REAL NOT NULL,
  p90_ms           REAL NOT NULL,
  mean_ms          REAL NOT NULL,
  std_ms           REAL NOT NULL,
  min_ms           REAL NOT NULL,
  samples          INTEGER NOT NULL,
  runner           TEXT NOT NULL DEFAULT '',
  environment_json TEXT NOT NULL DEFAULT '{}',
  measured_at      REAL NOT NULL,
  PRIMARY KEY (device, protocol, block_key)
) WITHOUT ROWID;

-- The whole-network term of a space's table: latency = overhead_ms + scale *
-- sum of its blocks' median_ms, least squares over `subnets` measured subnets.
CREATE TABLE lut_fits (
  device      TEXT NOT NULL,
  space       TEXT NOT NULL,
  protocol    TEXT NOT NULL,
  overhead_ms REAL NOT NULL,
  scale       REAL NOT NULL,
  subnets     INTEGER NOT NULL,
  residual_ms REAL NOT NULL,
  fitted_at   REAL NOT NULL,
  PRIMARY KEY (device, space, protocol)
) WITHOUT ROWID;
)sql";
}

}  // namespace nas

#include "results/schema.h"

#include <string>

#include "results/lut_schema.h"
#include "results/sqlite.h"

namespace nas {

const std::vector<Migration>& migrations() {
  // Times are Unix seconds (REAL). JSON columns hold compact JSON text.
  static const std::vector<Migration> kMigrations = {
      {1, R"sql(
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  config_json  TEXT NOT NULL,
  config_hash  TEXT NOT NULL,
  code_version TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  strategy     TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished')),
  created_at   REAL NOT NULL,
  finished_at  REAL
);
CREATE INDEX runs_by_name ON runs (name, status);

-- One row per process that worked on a run; a run's wall time is the sum
-- over its sessions of updated_at - started_at.
CREATE TABLE sessions (
  id              INTEGER PRIMARY KEY,
  run_id          INTEGER NOT NULL REFERENCES runs (id),
  started_at      REAL NOT NULL,
  updated_at      REAL NOT NULL,
  evaluator_calls INTEGER NOT NULL DEFAULT 0,
  cache_hits      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_run ON sessions (run_id);

CREATE TABLE archs (
  id             TEXT PRIMARY KEY,
  space          TEXT NOT NULL,
  canonical_json TEXT NOT NULL
) WITHOUT ROWID;

-- One value per (arch, metric, source, device, fidelity), ever: a second
-- insert of the same key fails, which proves nothing is evaluated twice.
-- The UNIQUE index also serves the look-up by arch_id.
CREATE TABLE evaluations (
  id         INTEGER PRIMARY KEY,
  arch_id    TEXT NOT NULL REFERENCES archs (id),
  metric     TEXT NOT NULL,
  source     TEXT NOT NULL
             CHECK (source IN ('measured', 'predicted', 'supernet', 'tabular', 'analytic')),
  device     TEXT NOT NULL DEFAULT '',
  fidelity   TEXT NOT NULL DEFAULT '',
  value      REAL,
  note       TEXT NOT NULL DEFAULT '',
  run_id     INTEGER REFERENCES runs (id),
  session_id INTEGER REFERENCES sessions (id),
  created_at REAL NOT NULL,
  UNIQUE (arch_id, metric, source, device, fidelity)
);

CREATE TABLE steps (
  run_id         INTEGER NOT NULL REFERENCES runs (id),
  step           INTEGER NOT NULL,
  session_id     INTEGER REFERENCES sessions (id),
  queries        INTEGER NOT NULL,
  cache_hits     INTEGER NOT NULL,
  strategy_state TEXT NOT NULL,
  committed_at   REAL NOT NULL,
  PRIMARY KEY (run_id, step)
) WITHOUT ROWID;

-- The candidates of each step, in the order asked. arch_id is not a foreign
-- key: history records what the strategy proposed.
CREATE TABLE history (
  run_id    INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  arch_id   TEXT NOT NULL,
  parents   TEXT NOT NULL DEFAULT '[]',
  new_query INTEGER NOT NULL CHECK (new_query IN (0, 1)),
  PRIMARY KEY (run_id, step, position),
  FOREIGN KEY (run_id, step) REFERENCES steps (run_id, step)
) WITHOUT ROWID;
CREATE INDEX history_new_queries ON history (run_id, new_query, step, position);

CREATE TABLE front (
  run_id   INTEGER NOT NULL REFERENCES runs (id),
  position INTEGER NOT NULL,
  arch_id  TEXT NOT NULL REFERENCES archs (id),
  PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
)sql"},
      // v2: the full statistics of every device measurement, linked from the
      // evaluations they gave; archs' MACs and params where an analytic
      // evaluator knew them; the supernet's training cost per run.
      {2, R"sql(
-- One row per measurement a runner reported. An (arch, device, protocol) is
-- normally measured once (the evaluations' cache), but a later run that asks
-- for another metric of the same job measures again, so no UNIQUE here.
CREATE TABLE measurements (
  id                INTEGER PRIMARY KEY,
  arch_id           TEXT NOT NULL REFERENCES archs (id),
  device            TEXT NOT NULL,
  backend           TEXT NOT NULL DEFAULT '',
  protocol          TEXT NOT NULL,
  runner            TEXT NOT NULL DEFAULT '',
  batch             INTEGER NOT NULL,
  threads           INTEGER NOT NULL,
  median_ms         REAL NOT NULL,
  p90_ms            REAL NOT NULL,
  mean_ms           REAL NOT NULL,
  std_ms            REAL NOT NULL,
  min_ms            REAL NOT NULL,
  samples_json      TEXT NOT NULL DEFAULT '[]',
  energy_mj         REAL,  -- NULL unless a power meter measured it
  idle_watts        REAL,
  active_watts      REAL,
  environment_json  TEXT NOT NULL DEFAULT '{}',
  run_id            INTEGER REFERENCES runs (id),
  session_id        INTEGER REFERENCES sessions (id),
  measured_at       REAL NOT NULL
);
CREATE INDEX measurements_by_arch ON measurements (arch_id, device, protocol);
-- Covers the per-device counts of a report (energy_mj counts the metered).
CREATE INDEX measurements_by_run ON measurements (run_id, device, energy_mj);

ALTER TABLE evaluations ADD COLUMN measurement_id INTEGER REFERENCES measurements (id);
-- Reports and plots read a run's evaluations together.
CREATE INDEX evaluations_by_run ON evaluations (run_id, metric);

ALTER TABLE archs ADD COLUMN macs REAL;
ALTER TABLE archs ADD COLUMN params REAL;

ALTER TABLE runs ADD COLUMN supernet_seconds REAL;
ALTER TABLE runs ADD COLUMN supernet_device TEXT;
)sql"},
      // v3: per-device block look-up tables (results/lut_schema.cpp).
      {3, lut_tables_sql()},
      // v4: the supernet training's progress, written while it runs.
      {4, R"sql(
-- One row per report the training made (throttled by the writer), oldest
-- first; epoch_end rows close an epoch and carry its validation accuracies
-- (fractions). images_per_second is the session's training throughput.
CREATE TABLE training (
  id                INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs (id),
  session_id        INTEGER REFERENCES sessions (id),
  epoch             INTEGER NOT NULL,
  epochs            INTEGER NOT NULL,
  step              INTEGER NOT NULL,
  steps             INTEGER NOT NULL,
  images_done       INTEGER NOT NULL,
  images_total      INTEGER NOT NULL,
  images_resumed    INTEGER NOT NULL,
  loss              REAL NOT NULL,
  loss_largest      REAL NOT NULL,
  loss_smallest     REAL NOT NULL,
  learning_rate     REAL NOT NULL,
  images_per_second REAL NOT NULL,
  epoch_end         INTEGER NOT NULL CHECK (epoch_end IN (0, 1)),
  val_acc_largest   REAL,
  val_acc_smallest  REAL,
  recorded_at       REAL NOT NULL
);
CREATE INDEX training_by_run ON training (run_id, id);
)sql"},
      // v5: source 'finetuned' (`nas finetune`). SQLite cannot alter a
      // CHECK, so the evaluations table is rebuilt with every row and id.
      {5, R"sql(
CREATE TABLE evaluations_v5 (
  id             INTEGER PRIMARY KEY,
  arch_id        TEXT NOT NULL REFERENCES archs (id),
  metric         TEXT NOT NULL,
  source         TEXT NOT NULL
                 CHECK (source IN ('measured', 'predicted', 'supernet', 'tabular', 'analytic',
                                   'finetuned')),
  device         TEXT NOT NULL DEFAULT '',
  fidelity       TEXT NOT NULL DEFAULT '',
  value          REAL,
  note           TEXT NOT NULL DEFAULT '',
  run_id         INTEGER REFERENCES runs (id),
  session_id     INTEGER REFERENCES sessions (id),
  created_at     REAL NOT NULL,
  measurement_id INTEGER REFERENCES measurements (id),
  UNIQUE (arch_id, metric, source, device, fidelity)
);
INSERT INTO evaluations_v5 (id, arch_id, metric, source, device, fidelity, value, note, run_id,
                            session_id, created_at, measurement_id)
  SELECT id, arch_id, metric, source, device, fidelity, value, note, run_id, session_id,
         created_at, measurement_id
  FROM evaluations;
DROP TABLE evaluations;
ALTER TABLE evaluations_v5 RENAME TO evaluations;
CREATE INDEX evaluations_by_run ON evaluations (run_id, metric);
)sql"},
  };
  return kMigrations;
}

int current_schema_version() { return static_cast<int>(migrations().size()); }

void migrate(sqlite::Database& db) {
  for (const Migration& m : migrations()) {
    sqlite::Transaction transaction(db);
    const std::int64_t version = db.query_int("PRAGMA user_version");
    if (version >= m.version) continue;  // done already (by us or another process)
    if (version != m.version - 1) {
      throw Error(db.label() + ": schema version " + std::to_string(version) +
                  " cannot be migrated to " + std::to_string(m.version));
    }
    try {
      db.exec(m.sql);
      // PRAGMA takes no parameters; the value is our own integer.
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (migrating to schema version " +
                  std::to_string(m.version) + ")");
    }
    transaction.commit();
  }
}

}  // namespace nas

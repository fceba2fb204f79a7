#include "results/store_reader.h"

#include <memory>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/json_parse.h"
#include "results/sqlite.h"
#include "results/store_connection.h"

namespace nas {
namespace {

constexpr const char* kRunSummarySql = R"sql(
SELECT r.id, r.name, r.status, r.strategy, r.seed, r.code_version, r.config_hash,
       r.created_at, r.finished_at,
       (SELECT coalesce(sum(s.updated_at - s.started_at), 0) FROM sessions s WHERE s.run_id = r.id),
       (SELECT count(*) FROM sessions s WHERE s.run_id = r.id),
       (SELECT coalesce(max(t.queries), 0) FROM steps t WHERE t.run_id = r.id),
       (SELECT coalesce(sum(s.evaluator_calls), 0) FROM sessions s WHERE s.run_id = r.id),
       (SELECT coalesce(sum(s.cache_hits), 0) FROM sessions s WHERE s.run_id = r.id),
       (SELECT count(*) FROM steps t WHERE t.run_id = r.id),
       r.supernet_seconds, r.supernet_device
FROM runs r
WHERE ?1 IS NULL OR r.id = ?1
ORDER BY r.id)sql";

RunSummary read_summary(const sqlite::Statement& row) {
  RunSummary s;
  s.id = row.column_int64(0);
  s.name = row.column_text(1);
  s.status = row.column_text(2);
  s.strategy = row.column_text(3);
  s.seed = static_cast<std::uint64_t>(row.column_int64(4));
  s.code_version = row.column_text(5);
  s.config_hash = row.column_text(6);
  s.created_at = row.column_double(7);
  s.finished_at = row.column_optional_double(8);
  s.wall_seconds = row.column_double(9);
  s.sessions = row.column_int64(10);
  s.queries = row.column_int64(11);
  s.evaluator_calls = row.column_int64(12);
  s.cache_hits = row.column_int64(13);
  s.steps = row.column_int64(14);
  s.supernet_seconds = row.column_optional_double(15);
  s.supernet_device = row.column_text(16);
  return s;
}

constexpr const char* kEvaluationsSql = R"sql(
SELECT e.metric, e.source, e.device, e.fidelity, e.value, e.note, e.measurement_id,
       m.device, m.backend, m.protocol, m.runner, m.batch, m.threads, m.median_ms, m.p90_ms,
       m.mean_ms, m.std_ms, m.min_ms, m.energy_mj, m.idle_watts, m.active_watts,
       m.environment_json, m.measured_at
FROM evaluations e LEFT JOIN measurements m ON m.id = e.measurement_id
WHERE e.arch_id = ? ORDER BY e.id)sql";

// The measurement columns (7 on) of a kEvaluationsSql row; samples_ms is
// left empty to keep look-ups cheap.
std::shared_ptr<MeasurementRecord> read_measurement(const sqlite::Statement& row) {
  auto m = std::make_shared<MeasurementRecord>();
  m->device = row.column_text(7);
  m->backend = row.column_text(8);
  m->protocol = row.column_text(9);
  m->runner = row.column_text(10);
  m->batch = static_cast<int>(row.column_int64(11));
  m->threads = static_cast<int>(row.column_int64(12));
  m->median_ms = row.column_double(13);
  m->p90_ms = row.column_double(14);
  m->mean_ms = row.column_double(15);
  m->std_ms = row.column_double(16);
  m->min_ms = row.column_double(17);
  m->energy_mj = row.column_optional_double(18);
  m->idle_watts = row.column_optional_double(19);
  m->active_watts = row.column_optional_double(20);
  try {
    m->environment = parse_json(row.column_text(21));
  } catch (const JsonParseError&) {
    m->environment = nlohmann::json::object();  // a damaged environment hides no figure
  }
  m->measured_at = row.column_double(22);
  return m;
}

TrainProgress read_training(const sqlite::Statement& row) {
  TrainProgress p;
  p.epoch = row.column_int64(0);
  p.epochs = row.column_int64(1);
  p.step = row.column_int64(2);
  p.steps = row.column_int64(3);
  p.images_done = row.column_int64(4);
  p.images_total = row.column_int64(5);
  p.images_resumed = row.column_int64(6);
  p.loss = row.column_double(7);
  p.loss_largest = row.column_double(8);
  p.loss_smallest = row.column_double(9);
  p.learning_rate = row.column_double(10);
  p.images_per_second = row.column_double(11);
  p.epoch_end = row.column_int64(12) != 0;
  p.val_acc_largest = row.column_optional_double(13);
  p.val_acc_smallest = row.column_optional_double(14);
  return p;
}

}  // namespace

template <typename Key, typename Read>
auto StoreReader::first_row(const char* sql, const Key& key, Read read) const
    -> std::optional<decltype(read(std::declval<const sqlite::Statement&>()))> {
  auto& query = connection_.statement(sql);
  sqlite::ResetOnExit reset(query);
  query.bind(1, key);
  if (!query.step()) return std::nullopt;
  return read(query);
}

// ------------------------------------------------------------ runs

std::vector<RunSummary> StoreReader::list_runs() const {
  auto& query = connection_.statement(kRunSummarySql);
  sqlite::ResetOnExit reset(query);
  std::vector<RunSummary> out;
  while (query.step()) out.push_back(read_summary(query));
  return out;
}

std::optional<RunSummary> StoreReader::run(std::int64_t run_id) const {
  return first_row(kRunSummarySql, run_id, read_summary);
}

std::optional<ResumableRun> StoreReader::find_resumable_run(const std::string& name) const {
  return first_row(
      "SELECT id, config_hash FROM runs WHERE name = ? AND status = 'running'"
      " ORDER BY id DESC LIMIT 1",
      name, [](const sqlite::Statement& row) {
        return ResumableRun{row.column_int64(0), row.column_text(1)};
      });
}

std::string StoreReader::run_config(std::int64_t run_id) const {
  std::optional<std::string> config =
      first_row("SELECT config_json FROM runs WHERE id = ?", run_id,
                [](const sqlite::Statement& row) { return row.column_text(0); });
  if (!config) connection_.throw_no_run(run_id);
  return std::move(*config);
}

std::optional<std::int64_t> StoreReader::session_run(std::int64_t session_id) const {
  return first_row("SELECT run_id FROM sessions WHERE id = ?", session_id,
                   [](const sqlite::Statement& row) { return row.column_int64(0); });
}

std::vector<TrainProgress> StoreReader::training(std::int64_t run_id) const {
  std::vector<TrainProgress> out;
  if (connection_.schema_version() < 4) return out;  // no training table yet
  auto& query = connection_.statement(
      "SELECT epoch, epochs, step, steps, images_done, images_total, images_resumed, loss,"
      " loss_largest, loss_smallest, learning_rate, images_per_second, epoch_end,"
      " val_acc_largest, val_acc_smallest FROM training WHERE run_id = ? ORDER BY id");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  while (query.step()) out.push_back(read_training(query));
  return out;
}

// ------------------------------------------------------------ the search's record

std::vector<std::string> StoreReader::front(std::int64_t run_id) const {
  auto& query =
      connection_.statement("SELECT arch_id FROM front WHERE run_id = ? ORDER BY position");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.column_text(0));
  return out;
}

std::vector<std::string> StoreReader::queried_archs(std::int64_t run_id) const {
  auto& query =
      connection_.statement("SELECT arch_id FROM history WHERE run_id = ? AND new_query = 1"
                            " ORDER BY step, position");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  while (query.step()) {
    std::string id = query.column_text(0);
    if (seen.insert(id).second) out.push_back(std::move(id));
  }
  return out;
}

std::optional<StepRecord> StoreReader::last_step(std::int64_t run_id) const {
  StepRecord record;
  {
    auto& query = connection_.statement(
        "SELECT step, queries, cache_hits, strategy_state FROM steps WHERE run_id = ?"
        " ORDER BY step DESC LIMIT 1");
    sqlite::ResetOnExit reset(query);
    query.bind(1, run_id);
    if (!query.step()) return std::nullopt;
    record.step = query.column_int64(0);
    record.queries = query.column_int64(1);
    record.cache_hits = query.column_int64(2);
    try {
      record.strategy_state = parse_json(query.column_text(3));
    } catch (const JsonParseError& e) {
      throw Error(connection_.label() + ": strategy state of step " +
                  std::to_string(record.step) + " is not valid JSON: " + e.what());
    }
  }
  auto& query = connection_.statement(
      "SELECT arch_id, parents, new_query FROM history WHERE run_id = ? AND step = ?"
      " ORDER BY position");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id).bind(2, record.step);
  while (query.step()) {
    HistoryEntry entry;
    entry.arch_id = query.column_text(0);
    try {
      entry.parent_ids = parse_json(query.column_text(1)).get<std::vector<std::string>>();
    } catch (const std::exception& e) {  // not JSON, or not a list of strings
      throw Error(connection_.label() + ": parents in history of step " +
                  std::to_string(record.step) + " are not a JSON list of ids: " + e.what());
    }
    entry.new_query = query.column_int64(2) != 0;
    record.entries.push_back(std::move(entry));
  }
  return record;
}

std::int64_t StoreReader::count_excluded(std::int64_t run_id,
                                         const std::vector<std::string>& metrics) const {
  auto& query = connection_.statement(R"sql(
SELECT count(DISTINCT h.arch_id) FROM history h
WHERE h.run_id = ?1 AND h.new_query = 1
  AND EXISTS (SELECT 1 FROM evaluations e
              WHERE e.arch_id = h.arch_id AND e.value IS NULL
                AND (json_array_length(?2) = 0
                     OR e.metric IN (SELECT value FROM json_each(?2)))))sql");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id).bind(2, nlohmann::json(metrics).dump());
  query.step();
  return query.column_int64(0);
}

// ------------------------------------------------------------ architectures and evaluations

std::vector<Evaluation> StoreReader::evaluations(const std::string& arch_id) const {
  auto& query = connection_.statement(kEvaluationsSql);
  sqlite::ResetOnExit reset(query);
  query.bind(1, arch_id);
  std::vector<Evaluation> out;
  std::shared_ptr<const MeasurementRecord> last;  // a job's evaluations share their record
  std::int64_t last_id = 0;
  while (query.step()) {
    Evaluation e;
    e.key.metric = query.column_text(0);
    e.key.source = source_from_string(query.column_text(1));
    e.key.device = query.column_text(2);
    e.key.fidelity = query.column_text(3);
    e.value = query.column_optional_double(4);
    e.note = query.column_text(5);
    if (const auto id = query.column_optional_int64(6)) {
      if (!last || *id != last_id) {
        last = read_measurement(query);
        last_id = *id;
      }
      e.measurement = last;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<StoredArch> StoreReader::arch(const std::string& arch_id) const {
  return first_row("SELECT space, canonical_json, macs, params FROM archs WHERE id = ?", arch_id,
                   [](const sqlite::Statement& row) {
                     return StoredArch{row.column_text(0), row.column_text(1),
                                       row.column_optional_double(2),
                                       row.column_optional_double(3)};
                   });
}

std::optional<std::string> StoreReader::arch_json(const std::string& arch_id) const {
  return first_row("SELECT canonical_json FROM archs WHERE id = ?", arch_id,
                   [](const sqlite::Statement& row) { return row.column_text(0); });
}

// ------------------------------------------------------------ device measurements

std::vector<DeviceMeasurements> StoreReader::measurement_counts(std::int64_t run_id) const {
  auto& query = connection_.statement(
      "SELECT device, count(*), count(energy_mj) FROM measurements WHERE run_id = ?"
      " GROUP BY device ORDER BY device");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  std::vector<DeviceMeasurements> out;
  while (query.step()) {
    out.push_back({query.column_text(0), query.column_int64(1), query.column_int64(2)});
  }
  return out;
}

std::vector<DeviceSpend> StoreReader::measurement_spend(std::int64_t run_id) const {
  // One row per (arch, device) job of the run: whether it confirmed a
  // prediction, and whether none of its values is usable.
  auto& query = connection_.statement(R"sql(
SELECT device, tabular,
       sum(NOT confirming), sum(confirming), sum(failed)
FROM (SELECT e.arch_id, e.device, e.source = 'tabular' AS tabular,
             EXISTS (SELECT 1 FROM evaluations p
                     WHERE p.arch_id = e.arch_id AND p.device = e.device
                       AND p.source = 'predicted' AND p.run_id = e.run_id) AS confirming,
             max(e.value IS NOT NULL) = 0 AS failed
      FROM evaluations e
      WHERE e.run_id = ?1 AND e.device <> '' AND e.source IN ('measured', 'tabular')
      GROUP BY e.arch_id, e.device, tabular)
GROUP BY device, tabular ORDER BY device, tabular)sql");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  std::vector<DeviceSpend> out;
  while (query.step()) {
    out.push_back({query.column_text(0), query.column_int64(1) != 0, query.column_int64(2),
                   query.column_int64(3), query.column_int64(4)});
  }
  return out;
}

}  // namespace nas

#include "results/run_journal.h"

#include <sqlite3.h>

#include <map>

#include "core/errors.h"
#include "results/sqlite.h"

namespace nas {
namespace {

std::string describe(const EvaluationKey& key) {
  std::string out = key.metric + " (" + to_string(key.source);
  if (!key.device.empty()) out += ", device " + key.device;
  if (!key.fidelity.empty()) out += ", " + key.fidelity;
  return out + ")";
}

}  // namespace

RunJournal::RunJournal(Store& store, std::int64_t run_id, std::int64_t session_id)
    : store_(store), run_id_(run_id), session_id_(session_id) {
  store_.require_writable("journal a run");
  auto& query = store_.statement("SELECT run_id FROM sessions WHERE id = ?");
  sqlite::ResetOnExit reset(query);
  query.bind(1, session_id);
  if (!query.step() || query.column_int64(0) != run_id) {
    throw UsageError("store " + store_.path() + ": session " + std::to_string(session_id) +
                     " does not belong to run " + std::to_string(run_id));
  }
}

std::int64_t RunJournal::insert_measurement(const std::string& arch_id,
                                            const MeasurementRecord& m, double now) {
  auto& insert = store_.statement(
      "INSERT INTO measurements (arch_id, device, backend, protocol, runner, batch, threads,"
      " median_ms, p90_ms, mean_ms, std_ms, min_ms, samples_json, energy_mj, idle_watts,"
      " active_watts, environment_json, run_id, session_id, measured_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite::ResetOnExit reset(insert);
  insert.bind(1, arch_id)
      .bind(2, m.device)
      .bind(3, m.backend)
      .bind(4, m.protocol)
      .bind(5, m.runner)
      .bind(6, m.batch)
      .bind(7, m.threads)
      .bind(8, m.median_ms)
      .bind(9, m.p90_ms)
      .bind(10, m.mean_ms)
      .bind(11, m.std_ms)
      .bind(12, m.min_ms)
      .bind(13, nlohmann::json(m.samples_ms).dump())
      .bind(14, m.energy_mj)
      .bind(15, m.idle_watts)
      .bind(16, m.active_watts)
      .bind(17, m.environment.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .bind(18, run_id_)
      .bind(19, session_id_)
      .bind(20, m.measured_at > 0 ? m.measured_at : now);
  insert.run();
  return sqlite3_last_insert_rowid(store_.database().handle());
}

std::vector<Evaluation> RunJournal::find(const std::string& arch_id) {
  return store_.evaluations(arch_id);
}

void RunJournal::record(const SearchSpace& space, const Arch& arch,
                        const std::vector<Evaluation>& fresh) {
  const std::string arch_id = space.id(arch);
  const std::string canonical = space.canonical_json(arch);
  const double now = unix_now();
  sqlite::Transaction transaction(store_.database());

  const std::optional<std::string> stored = store_.arch_json(arch_id);
  if (!stored) {
    auto& insert =
        store_.statement("INSERT INTO archs (id, space, canonical_json) VALUES (?, ?, ?)");
    sqlite::ResetOnExit reset(insert);
    insert.bind(1, arch_id).bind(2, space.name()).bind(3, canonical);
    insert.run();
  } else if (*stored != canonical) {
    throw Error("store " + store_.path() + ": architecture id " + arch_id +
                " is stored for " + *stored + " but computed for " + canonical +
                " (an id collision)");
  }

  // An architecture is one evaluator call of the session, however many
  // records its values arrive in (a batch stores each value as it comes).
  auto& seen = store_.statement(
      "SELECT EXISTS (SELECT 1 FROM evaluations WHERE arch_id = ? AND session_id = ?)");
  bool seen_in_session = false;
  {
    sqlite::ResetOnExit reset_seen(seen);
    seen.bind(1, arch_id).bind(2, session_id_);
    seen_in_session = seen.step() && seen.column_int64(0) != 0;
  }

  // Each distinct measurement once, though a job's latency and energy
  // evaluations both carry it.
  std::map<const MeasurementRecord*, std::int64_t> measurement_ids;
  for (const Evaluation& e : fresh) {
    if (!e.measurement || measurement_ids.count(e.measurement.get())) continue;
    measurement_ids[e.measurement.get()] = insert_measurement(arch_id, *e.measurement, now);
  }

  // Plain INSERT, never OR IGNORE: a repeat must fail loudly, since it would
  // mean the loop evaluated something the store already had.
  auto& insert = store_.statement(
      "INSERT INTO evaluations (arch_id, metric, source, device, fidelity, value, note,"
      " run_id, session_id, created_at, measurement_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const Evaluation& e : fresh) {
    sqlite::ResetOnExit reset(insert);
    if (e.measurement) {
      insert.bind(11, measurement_ids.at(e.measurement.get()));
    } else {
      insert.bind_null(11);
    }
    insert.bind(1, arch_id)
        .bind(2, e.key.metric)
        .bind(3, to_string(e.key.source))
        .bind(4, e.key.device)
        .bind(5, e.key.fidelity)
        .bind(6, e.value)
        .bind(7, e.note)
        .bind(8, run_id_)
        .bind(9, session_id_)
        .bind(10, now);
    try {
      insert.run();
    } catch (const sqlite::SqliteError& error) {
      if (error.code() != SQLITE_CONSTRAINT_UNIQUE) throw;
      throw Error("store " + store_.path() + ": architecture " + arch_id +
                  " already has a stored evaluation of " + describe(e.key) +
                  "; an evaluation is never stored twice");
    }
    // The arch row carries its cost too, so reports need not search for it.
    if (e.key.source == Source::kAnalytic && e.value &&
        (e.key.metric == "macs" || e.key.metric == "params")) {
      auto& cost = store_.statement(e.key.metric == "macs"
                                        ? "UPDATE archs SET macs = ? WHERE id = ?"
                                        : "UPDATE archs SET params = ? WHERE id = ?");
      sqlite::ResetOnExit reset_cost(cost);
      cost.bind(1, *e.value).bind(2, arch_id);
      cost.run();
    }
  }

  auto& update = store_.statement(
      "UPDATE sessions SET evaluator_calls = evaluator_calls + ?, updated_at = ? WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, static_cast<std::int64_t>(seen_in_session ? 0 : 1)).bind(2, now).bind(3, session_id_);
  update.run();
  transaction.commit();
}

void RunJournal::commit_step(const StepRecord& step) {
  const double now = unix_now();
  sqlite::Transaction transaction(store_.database());
  {
    auto& insert = store_.statement(
        "INSERT INTO steps (run_id, step, session_id, queries, cache_hits, strategy_state,"
        " committed_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    sqlite::ResetOnExit reset(insert);
    insert.bind(1, run_id_)
        .bind(2, step.step)
        .bind(3, session_id_)
        .bind(4, step.queries)
        .bind(5, step.cache_hits)
        .bind(6, step.strategy_state.dump())
        .bind(7, now);
    try {
      insert.run();
    } catch (const sqlite::SqliteError& error) {
      if (error.primary_code() != SQLITE_CONSTRAINT) throw;
      throw Error("store " + store_.path() + ": step " + std::to_string(step.step) +
                  " of run " + std::to_string(run_id_) + " is already committed");
    }
  }
  {
    // Resume needs only the last step's state, and a state can grow with the
    // queries (the set of architectures seen): keeping every step's would
    // grow the store with the square of the budget. Earlier states become ''.
    auto& supersede = store_.statement(
        "UPDATE steps SET strategy_state = '' WHERE run_id = ? AND step < ? AND strategy_state <> ''");
    sqlite::ResetOnExit reset(supersede);
    supersede.bind(1, run_id_).bind(2, step.step);
    supersede.run();
  }
  auto& history = store_.statement(
      "INSERT INTO history (run_id, step, position, arch_id, parents, new_query)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  for (std::size_t i = 0; i < step.entries.size(); ++i) {
    const HistoryEntry& entry = step.entries[i];
    sqlite::ResetOnExit reset(history);
    history.bind(1, run_id_)
        .bind(2, step.step)
        .bind(3, static_cast<std::int64_t>(i))
        .bind(4, entry.arch_id)
        .bind(5, nlohmann::json(entry.parent_ids).dump())
        .bind(6, entry.new_query ? 1 : 0);
    history.run();
  }
  auto& update = store_.statement(
      "UPDATE sessions SET cache_hits = cache_hits + ?, updated_at = ? WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, step.cache_hits).bind(2, now).bind(3, session_id_);
  update.run();
  transaction.commit();
}

std::optional<StepRecord> RunJournal::last_step() {
  StepRecord record;
  {
    auto& query = store_.statement(
        "SELECT step, queries, cache_hits, strategy_state FROM steps WHERE run_id = ?"
        " ORDER BY step DESC LIMIT 1");
    sqlite::ResetOnExit reset(query);
    query.bind(1, run_id_);
    if (!query.step()) return std::nullopt;
    record.step = query.column_int64(0);
    record.queries = query.column_int64(1);
    record.cache_hits = query.column_int64(2);
    try {
      record.strategy_state = nlohmann::json::parse(query.column_text(3));
    } catch (const nlohmann::json::exception& e) {
      throw Error("store " + store_.path() + ": strategy state of step " +
                  std::to_string(record.step) + " is not valid JSON: " + e.what());
    }
  }
  auto& query = store_.statement(
      "SELECT arch_id, parents, new_query FROM history WHERE run_id = ? AND step = ?"
      " ORDER BY position");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id_).bind(2, record.step);
  while (query.step()) {
    HistoryEntry entry;
    entry.arch_id = query.column_text(0);
    try {
      entry.parent_ids = nlohmann::json::parse(query.column_text(1)).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      throw Error("store " + store_.path() + ": parents in history of step " +
                  std::to_string(record.step) + " are not a JSON list of ids: " + e.what());
    }
    entry.new_query = query.column_int64(2) != 0;
    record.entries.push_back(std::move(entry));
  }
  return record;
}

std::vector<std::string> RunJournal::queried_archs() { return store_.queried_archs(run_id_); }

std::string RunJournal::arch_json(const std::string& arch_id) {
  std::optional<std::string> json = store_.arch_json(arch_id);
  if (!json) {
    throw Error("store " + store_.path() + ": architecture " + arch_id + " was never recorded");
  }
  return std::move(*json);
}

}  // namespace nas

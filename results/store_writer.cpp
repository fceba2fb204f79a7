#include "results/store_writer.h"

#include <sqlite3.h>

#include <map>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "results/sqlite.h"
#include "results/store_connection.h"
#include "results/store_reader.h"

namespace nas {
namespace {

std::string describe(const EvaluationKey& key) {
  std::string out = key.metric + " (" + to_string(key.source);
  if (!key.device.empty()) out += ", device " + key.device;
  if (!key.fidelity.empty()) out += ", " + key.fidelity;
  return out + ")";
}

}  // namespace

sqlite::Transaction StoreWriter::begin_write(const char* what) {
  connection_.require_writable(what);
  return sqlite::Transaction(connection_.database());
}

// ------------------------------------------------------------ runs and sessions

std::int64_t StoreWriter::begin_run(const RunInfo& info) {
  sqlite::Transaction transaction = begin_write("begin a run");
  auto& insert = connection_.statement(
      "INSERT INTO runs (name, config_json, config_hash, code_version, seed, strategy, status,"
      " created_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?)");
  sqlite::ResetOnExit reset(insert);
  insert.bind(1, info.name)
      .bind(2, info.config_json)
      .bind(3, info.config_hash)
      .bind(4, info.code_version)
      .bind(5, static_cast<std::int64_t>(info.seed))  // bit pattern kept; read back as uint64
      .bind(6, info.strategy)
      .bind(7, unix_now());
  insert.run();
  const std::int64_t id = connection_.database().last_insert_rowid();
  transaction.commit();
  return id;
}

std::int64_t StoreWriter::begin_session(std::int64_t run_id) {
  sqlite::Transaction transaction = begin_write("begin a session");
  {
    auto& exists = connection_.statement("SELECT 1 FROM runs WHERE id = ?");
    sqlite::ResetOnExit reset(exists);
    exists.bind(1, run_id);
    if (!exists.step()) connection_.throw_no_run(run_id);
  }
  auto& insert = connection_.statement(
      "INSERT INTO sessions (run_id, started_at, updated_at) VALUES (?1, ?2, ?2)");
  sqlite::ResetOnExit reset(insert);
  insert.bind(1, run_id).bind(2, unix_now());
  insert.run();
  const std::int64_t id = connection_.database().last_insert_rowid();
  transaction.commit();
  return id;
}

void StoreWriter::finish_run(std::int64_t run_id) {
  sqlite::Transaction transaction = begin_write("finish a run");
  auto& update =
      connection_.statement("UPDATE runs SET status = 'finished', finished_at = ? WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, unix_now()).bind(2, run_id);
  update.run();
  if (connection_.database().changes() != 1) connection_.throw_no_run(run_id);
  transaction.commit();
}

// ------------------------------------------------------------ the supernet's training

void StoreWriter::record_supernet(std::int64_t run_id, double seconds, const std::string& device) {
  sqlite::Transaction transaction = begin_write("record supernet training");
  auto& update = connection_.statement(
      "UPDATE runs SET supernet_seconds = coalesce(supernet_seconds, 0) + ?, supernet_device = ?"
      " WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, seconds).bind(2, device).bind(3, run_id);
  update.run();
  if (connection_.database().changes() != 1) connection_.throw_no_run(run_id);
  transaction.commit();
}

void StoreWriter::record_training(std::int64_t run_id, std::int64_t session_id,
                                  const TrainProgress& p) {
  sqlite::Transaction transaction = begin_write("record training progress");
  const double now = unix_now();
  {
    auto& touch =
        connection_.statement("UPDATE sessions SET updated_at = ? WHERE id = ? AND run_id = ?");
    sqlite::ResetOnExit reset(touch);
    touch.bind(1, now).bind(2, session_id).bind(3, run_id);
    touch.run();
    if (connection_.database().changes() != 1) {
      throw UsageError(connection_.label() + ": run " + std::to_string(run_id) +
                       " has no session " + std::to_string(session_id));
    }
  }
  auto& insert = connection_.statement(
      "INSERT INTO training (run_id, session_id, epoch, epochs, step, steps, images_done,"
      " images_total, images_resumed, loss, loss_largest, loss_smallest, learning_rate,"
      " images_per_second, epoch_end, val_acc_largest, val_acc_smallest, recorded_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite::ResetOnExit reset(insert);
  insert.bind(1, run_id).bind(2, session_id).bind(3, p.epoch).bind(4, p.epochs).bind(5, p.step)
      .bind(6, p.steps).bind(7, p.images_done).bind(8, p.images_total).bind(9, p.images_resumed)
      .bind(10, p.loss).bind(11, p.loss_largest).bind(12, p.loss_smallest)
      .bind(13, p.learning_rate).bind(14, p.images_per_second)
      .bind(15, static_cast<std::int64_t>(p.epoch_end ? 1 : 0)).bind(16, p.val_acc_largest)
      .bind(17, p.val_acc_smallest).bind(18, now);
  insert.run();
  transaction.commit();
}

// ------------------------------------------------------------ the front

void StoreWriter::write_front(std::int64_t run_id, const std::vector<std::string>& arch_ids) {
  sqlite::Transaction transaction = begin_write("write a front");
  {
    auto& erase = connection_.statement("DELETE FROM front WHERE run_id = ?");
    sqlite::ResetOnExit reset(erase);
    erase.bind(1, run_id);
    erase.run();
  }
  auto& insert =
      connection_.statement("INSERT INTO front (run_id, position, arch_id) VALUES (?, ?, ?)");
  for (std::size_t i = 0; i < arch_ids.size(); ++i) {
    if (!reader_.arch_json(arch_ids[i])) {
      throw UsageError(connection_.label() + ": front of run " + std::to_string(run_id) +
                       " names architecture " + arch_ids[i] + ", which is not in the store");
    }
    sqlite::ResetOnExit reset(insert);
    insert.bind(1, run_id).bind(2, static_cast<std::int64_t>(i) + 1).bind(3, arch_ids[i]);
    insert.run();
  }
  transaction.commit();
}

// ------------------------------------------------------------ the journal's writes

void StoreWriter::record_evaluations(std::int64_t run_id, std::int64_t session_id,
                                     const SearchSpace& space, const Arch& arch,
                                     const std::vector<Evaluation>& fresh) {
  const std::string arch_id = space.id(arch);
  const double now = unix_now();
  sqlite::Transaction transaction = begin_write("record evaluations");
  insert_arch_once(space, arch, arch_id);

  // An architecture is one evaluator call of the session, however many
  // records its values arrive in (a batch stores each value as it comes).
  auto& seen = connection_.statement(
      "SELECT EXISTS (SELECT 1 FROM evaluations WHERE arch_id = ? AND session_id = ?)");
  bool seen_in_session = false;
  {
    sqlite::ResetOnExit reset_seen(seen);
    seen.bind(1, arch_id).bind(2, session_id);
    seen_in_session = seen.step() && seen.column_int64(0) != 0;
  }

  // Each distinct measurement once, though a job's latency and energy
  // evaluations both carry it.
  std::map<const MeasurementRecord*, std::int64_t> measurement_ids;
  for (const Evaluation& e : fresh) {
    if (!e.measurement || measurement_ids.count(e.measurement.get())) continue;
    measurement_ids[e.measurement.get()] =
        insert_measurement(run_id, session_id, arch_id, *e.measurement, now);
  }
  for (const Evaluation& e : fresh) {
    std::optional<std::int64_t> measurement_id;
    if (e.measurement) measurement_id = measurement_ids.at(e.measurement.get());
    insert_evaluation(run_id, session_id, arch_id, e, measurement_id, now);
  }

  auto& update = connection_.statement(
      "UPDATE sessions SET evaluator_calls = evaluator_calls + ?, updated_at = ? WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, static_cast<std::int64_t>(seen_in_session ? 0 : 1)).bind(2, now).bind(3, session_id);
  update.run();
  transaction.commit();
}

void StoreWriter::insert_arch_once(const SearchSpace& space, const Arch& arch,
                                   const std::string& arch_id) {
  const std::string canonical = space.canonical_json(arch);
  const std::optional<std::string> stored = reader_.arch_json(arch_id);
  if (!stored) {
    auto& insert = connection_.statement(
        "INSERT INTO archs (id, space, canonical_json) VALUES (?, ?, ?)");
    sqlite::ResetOnExit reset(insert);
    insert.bind(1, arch_id).bind(2, space.name()).bind(3, canonical);
    insert.run();
  } else if (*stored != canonical) {
    throw Error(connection_.label() + ": architecture id " + arch_id + " is stored for " +
                *stored + " but computed for " + canonical + " (an id collision)");
  }
}

std::int64_t StoreWriter::insert_measurement(std::int64_t run_id, std::int64_t session_id,
                                             const std::string& arch_id,
                                             const MeasurementRecord& m, double now) {
  auto& insert = connection_.statement(
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
      .bind(18, run_id)
      .bind(19, session_id)
      .bind(20, m.measured_at > 0 ? m.measured_at : now);
  insert.run();
  return connection_.database().last_insert_rowid();
}

void StoreWriter::insert_evaluation(std::int64_t run_id, std::optional<std::int64_t> session_id,
                                    const std::string& arch_id, const Evaluation& e,
                                    std::optional<std::int64_t> measurement_id, double now) {
  // Plain INSERT, never OR IGNORE: a repeat must fail loudly, since it would
  // mean the loop evaluated something the store already had.
  auto& insert = connection_.statement(
      "INSERT INTO evaluations (arch_id, metric, source, device, fidelity, value, note,"
      " run_id, session_id, created_at, measurement_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  sqlite::ResetOnExit reset(insert);
  if (measurement_id) {
    insert.bind(11, *measurement_id);
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
      .bind(8, run_id)
      .bind(10, now);
  if (session_id) {
    insert.bind(9, *session_id);
  } else {
    insert.bind_null(9);
  }
  try {
    insert.run();
  } catch (const sqlite::SqliteError& error) {
    if (error.code() != SQLITE_CONSTRAINT_UNIQUE) throw;
    throw Error(connection_.label() + ": architecture " + arch_id +
                " already has a stored evaluation of " + describe(e.key) +
                "; an evaluation is never stored twice");
  }
  // The arch row carries its cost too, so reports need not search for it.
  if (e.key.source == Source::kAnalytic && e.value &&
      (e.key.metric == "macs" || e.key.metric == "params")) {
    auto& cost = connection_.statement(e.key.metric == "macs"
                                           ? "UPDATE archs SET macs = ? WHERE id = ?"
                                           : "UPDATE archs SET params = ? WHERE id = ?");
    sqlite::ResetOnExit reset_cost(cost);
    cost.bind(1, *e.value).bind(2, arch_id);
    cost.run();
  }
}

std::int64_t StoreWriter::record_finetuned(std::int64_t run_id, const std::string& arch_id,
                                           const std::vector<Evaluation>& values) {
  const double now = unix_now();
  sqlite::Transaction transaction = begin_write("record a fine-tune");
  if (!reader_.arch_json(arch_id)) {
    throw Error(connection_.label() + ": no architecture " + arch_id + " to record a fine-tune of");
  }
  if (!reader_.run(run_id)) {
    throw Error(connection_.label() + ": no run " + std::to_string(run_id));
  }
  auto& stored = connection_.statement(
      "SELECT EXISTS (SELECT 1 FROM evaluations WHERE arch_id = ? AND metric = ? AND source = ?"
      " AND device = ? AND fidelity = ?)");
  std::int64_t added = 0;
  for (const Evaluation& e : values) {
    if (e.key.source != Source::kFinetuned) {
      throw Error(connection_.label() + ": a fine-tune records only source 'finetuned', not " +
                  describe(e.key));
    }
    bool present = false;
    {
      sqlite::ResetOnExit reset(stored);
      stored.bind(1, arch_id)
          .bind(2, e.key.metric)
          .bind(3, to_string(e.key.source))
          .bind(4, e.key.device)
          .bind(5, e.key.fidelity);
      present = stored.step() && stored.column_int64(0) != 0;
    }
    // The same fine-tune scores the same weights the same way: run again, it
    // has nothing new to store.
    if (present) continue;
    insert_evaluation(run_id, std::nullopt, arch_id, e, std::nullopt, now);
    ++added;
  }
  transaction.commit();
  return added;
}

void StoreWriter::write_step(std::int64_t run_id, std::int64_t session_id,
                             const StepRecord& step) {
  const double now = unix_now();
  sqlite::Transaction transaction = begin_write("commit a step");
  {
    auto& insert = connection_.statement(
        "INSERT INTO steps (run_id, step, session_id, queries, cache_hits, strategy_state,"
        " committed_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    sqlite::ResetOnExit reset(insert);
    insert.bind(1, run_id)
        .bind(2, step.step)
        .bind(3, session_id)
        .bind(4, step.queries)
        .bind(5, step.cache_hits)
        .bind(6, step.strategy_state.dump())
        .bind(7, now);
    try {
      insert.run();
    } catch (const sqlite::SqliteError& error) {
      if (error.primary_code() != SQLITE_CONSTRAINT) throw;
      throw Error(connection_.label() + ": step " + std::to_string(step.step) + " of run " +
                  std::to_string(run_id) + " is already committed");
    }
  }
  {
    // Resume needs only the last step's state, and a state can grow with the
    // queries (the set of architectures seen): keeping every step's would
    // grow the store with the square of the budget. Earlier states become ''.
    auto& supersede = connection_.statement(
        "UPDATE steps SET strategy_state = '' WHERE run_id = ? AND step < ? AND strategy_state <> ''");
    sqlite::ResetOnExit reset(supersede);
    supersede.bind(1, run_id).bind(2, step.step);
    supersede.run();
  }
  auto& history = connection_.statement(
      "INSERT INTO history (run_id, step, position, arch_id, parents, new_query)"
      " VALUES (?, ?, ?, ?, ?, ?)");
  for (std::size_t i = 0; i < step.entries.size(); ++i) {
    const HistoryEntry& entry = step.entries[i];
    sqlite::ResetOnExit reset(history);
    history.bind(1, run_id)
        .bind(2, step.step)
        .bind(3, static_cast<std::int64_t>(i))
        .bind(4, entry.arch_id)
        .bind(5, nlohmann::json(entry.parent_ids).dump())
        .bind(6, entry.new_query ? 1 : 0);
    history.run();
  }
  auto& update = connection_.statement(
      "UPDATE sessions SET cache_hits = cache_hits + ?, updated_at = ? WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, step.cache_hits).bind(2, now).bind(3, session_id);
  update.run();
  transaction.commit();
}

}  // namespace nas

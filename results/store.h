// The fitness store: one SQLite file that holds runs, architectures, every
// evaluation ever made, the search history and the fronts.
//
// One process writes (the run, through Store opened kReadWrite and a
// RunJournal); reports read concurrently through Store opened kReadOnly. The
// file is in WAL mode, so readers never block the writer nor see a half
// written step.
//
// Opening an existing file checks it before anything is written: it must be a
// SQLite database whose application_id is ours (or an empty database), with a
// schema version this build knows. A file that fails a check is refused with
// a nas::Error and left byte-for-byte as it was.
//
// Every method throws nas::Error on failure, with the store's path in the
// message ("store results/run.db: database is locked"). A Store is not thread
// safe: use it from one thread (each thread may open its own).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/evaluation.h"
#include "core/journal.h"
#include "core/search_space.h"
#include "core/training_progress.h"

namespace nas {

namespace sqlite {
class Database;
}  // namespace sqlite

enum class StoreMode {
  kReadWrite,  // create the file if missing; migrate an older schema
  // The file must exist with the current schema. Nothing is ever written
  // through the store; closing the last connection to the file folds its WAL
  // into it as SQLite does, so no -wal or -shm files are left behind.
  kReadOnly,
};

// What a run row records when the run starts.
struct RunInfo {
  std::string name;
  std::string config_json;  // the configuration document, as stored
  std::string config_hash;  // RunConfig::hash
  std::string code_version;
  std::uint64_t seed = 0;
  std::string strategy;
};

// A run that was cut off and can be resumed.
struct ResumableRun {
  std::int64_t id = 0;
  std::string config_hash;  // refuse to resume with a changed configuration
};

// One run as listed for reports. Counters sum over all sessions of the run.
struct RunSummary {
  std::int64_t id = 0;
  std::string name;
  std::string status;  // "running" | "finished"
  std::string strategy;
  std::uint64_t seed = 0;
  std::string code_version;
  std::string config_hash;
  double created_at = 0;                // Unix seconds
  std::optional<double> finished_at;    // Unix seconds; absent while running
  double wall_seconds = 0;              // sum over sessions of updated - started
  std::int64_t sessions = 0;            // processes that worked on the run
  std::int64_t queries = 0;             // distinct architectures (last step's count)
  std::int64_t evaluator_calls = 0;
  std::int64_t cache_hits = 0;
  std::int64_t steps = 0;               // committed steps
  // The supernet's training time summed over the run's sessions and the
  // device it trained on; absent when the run recorded none (no supernet,
  // or a store from before schema version 2).
  std::optional<double> supernet_seconds;
  std::string supernet_device;
};

// A run's device measurements on one device (the measurements table).
struct DeviceMeasurements {
  std::string device;
  std::int64_t count = 0;        // measurement rows the run stored
  std::int64_t with_energy = 0;  // of which a meter measured energy
};

// What a run spent on one device: architectures whose value on the device
// this run measured (or read from a table of device measurements), one per
// job however many metrics it gave.
struct DeviceSpend {
  std::string device;
  bool from_table = false;         // the values came from a table of another lab's measurements
  std::int64_t search = 0;         // measured while the search ran
  std::int64_t confirmations = 0;  // measured to confirm a predicted front member
  std::int64_t failed = 0;         // of both, jobs that gave no usable value (wasted)
};

// An architecture's row: its canonical form and, where an analytic evaluator
// knew them, its MACs and parameter count.
struct StoredArch {
  std::string space;
  std::string canonical_json;
  std::optional<double> macs;
  std::optional<double> params;
};

class Store {
 public:
  // Opens (kReadWrite: creates if missing or empty) the store at `path`.
  // Refuses, leaving the file untouched, with these messages after
  // "store <path>: ":
  //   "file is not a database or is corrupt"
  //   "not a nas fitness store (it has tables of another application)"
  //   "not a nas fitness store (application id 0x...)"
  //   "schema version N is newer than this build knows (M); ..."
  // kReadOnly also refuses a missing file ("no such file") and one that is
  // not (yet) at this build's schema version. Then for kReadWrite: WAL
  // journal, synchronous=NORMAL, foreign keys on, and pending migrations.
  static Store open(const std::string& path, StoreMode mode);

  // A bare connection to the store at `path`, opened after open()'s checks
  // (and, for kReadWrite, its migrations) have passed: for modules that keep
  // tables of their own in the store file. Same busy timeout as a Store;
  // foreign keys on for kReadWrite; SQLITE_OPEN_READONLY for kReadOnly.
  static std::unique_ptr<sqlite::Database> connect(const std::string& path, StoreMode mode);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  const std::string& path() const;
  StoreMode mode() const;
  int schema_version() const;  // PRAGMA user_version as found after opening

  // ---- The run side (REQUIRES: kReadWrite; a read-only store throws).

  // Adds a run in status "running" and returns its id.
  std::int64_t begin_run(const RunInfo& info);

  // The latest run named `name` still in status "running", if any.
  std::optional<ResumableRun> find_resumable_run(const std::string& name) const;

  // Adds a session (this process working on `run_id`) and returns its id.
  // Throws nas::Error for an unknown run.
  std::int64_t begin_session(std::int64_t run_id);

  // Sets the run's status to "finished" with the time. Throws for an unknown run.
  void finish_run(std::int64_t run_id);

  // Adds `seconds` of supernet training on `device` to the run's record
  // (a resumed run trains on where it stopped). Throws for an unknown run.
  void record_supernet(std::int64_t run_id, double seconds, const std::string& device);

  // Appends one report of the supernet's training (the training table)
  // and moves the session's updated_at to now, so that the run's wall time
  // counts the training while it runs. Throws for an unknown run or session.
  void record_training(std::int64_t run_id, std::int64_t session_id,
                       const TrainProgress& progress);

  // Replaces the run's front with `arch_ids` in order (best first). Every id
  // must be a stored architecture.
  void write_front(std::int64_t run_id, const std::vector<std::string>& arch_ids);

  // ---- The journal's side (results/run_journal.h): one session's record of
  // the search. The writes REQUIRE kReadWrite; each is one transaction.

  // Throws nas::UsageError ("store <path>: opened read-only, cannot <what>")
  // unless the store is open kReadWrite.
  void require_writable(const char* what) const;

  // The run that session `session_id` belongs to; absent for an unknown one.
  std::optional<std::int64_t> session_run(std::int64_t session_id) const;

  // In one transaction: the architecture's row (if new; an existing id with
  // another canonical JSON is an id collision and throws), one row per
  // evaluation in `fresh`, and the session's evaluator_calls + 1 if the
  // session had stored nothing of the architecture yet. An
  // evaluation whose (arch, metric, source, device, fidelity) is already
  // stored throws nas::Error and nothing of the call is stored. An evaluation
  // that carries a measurement gets its row in the measurements table (once
  // per record, shared records included) linked by measurement_id; analytic
  // `macs` and `params` values are also copied onto the architecture's row.
  void record_evaluations(std::int64_t run_id, std::int64_t session_id, const SearchSpace& space,
                          const Arch& arch, const std::vector<Evaluation>& fresh);

  // In one transaction: the step row (counters, strategy state), its history
  // rows, and the session's cache_hits + step.cache_hits. Earlier steps'
  // strategy states are cleared (a resume needs only the last one). A step
  // number already committed for the run throws nas::Error.
  void write_step(std::int64_t run_id, std::int64_t session_id, const StepRecord& step);

  // In one transaction: `values` (every one of source kFinetuned) as the
  // stored architecture `arch_id`'s evaluations, made for run `run_id` in no
  // search session. A value whose key is stored already is skipped (the same
  // finished fine-tune scored again); returns how many were added. Throws
  // nas::Error for an unknown arch or run, or another source.
  std::int64_t record_finetuned(std::int64_t run_id, const std::string& arch_id,
                                const std::vector<Evaluation>& values);

  // The run's highest committed step with its history entries; absent before
  // the first. Throws nas::Error when its stored JSON is damaged.
  std::optional<StepRecord> last_step(std::int64_t run_id) const;

  // ---- The read side (either mode).

  std::vector<RunSummary> list_runs() const;  // oldest first
  std::optional<RunSummary> run(std::int64_t run_id) const;
  // The stored configuration document. Throws for an unknown run.
  std::string run_config(std::int64_t run_id) const;
  // The front's arch ids in order; empty if none was written.
  std::vector<std::string> front(std::int64_t run_id) const;
  // Distinct arch ids the run's committed steps marked as new queries, in the
  // order first queried (step, then position); what a live view draws the
  // growing front from.
  std::vector<std::string> queried_archs(std::int64_t run_id) const;
  // Every evaluation of `arch_id`, whatever run made it, oldest first. A
  // measured value that came with a measurement carries it (its statistics,
  // energy, runner and environment; samples_ms is left empty here to keep
  // look-ups cheap).
  std::vector<Evaluation> evaluations(const std::string& arch_id) const;
  // The architecture's row, with MACs and params where known.
  std::optional<StoredArch> arch(const std::string& arch_id) const;
  // The run's measurements per device, by device name.
  std::vector<DeviceMeasurements> measurement_counts(std::int64_t run_id) const;
  // The run's measurement spend per device, by device name. A confirmation
  // is a job for an architecture whose value on the device this run had
  // predicted before.
  std::vector<DeviceSpend> measurement_spend(std::int64_t run_id) const;
  // The canonical JSON of a stored architecture.
  std::optional<std::string> arch_json(const std::string& arch_id) const;
  // The run's training reports, oldest first; empty for a run without a
  // supernet and for a store from before schema version 4.
  std::vector<TrainProgress> training(std::int64_t run_id) const;
  // Architectures the run queried (history, new queries) that have an
  // evaluation without a value among `metrics` (any metric when empty).
  std::int64_t count_excluded(std::int64_t run_id,
                              const std::vector<std::string>& metrics = {}) const;

 private:
  // The connection (store_connection.h), the reads (store_reader.h) and the
  // writes (store_writer.h) this façade forwards to.
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

// Seconds since the Unix epoch, as stored in every *_at column.
double unix_now();

}  // namespace nas

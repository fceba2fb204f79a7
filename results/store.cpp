#include "results/store.h"

#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "results/schema.h"
#include "results/sqlite.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

// How long a connection waits for a lock held by another before it reports
// "database is locked". Writes are short transactions, so this is generous.
constexpr int kBusyTimeoutMs = 10000;

std::string hex32(std::int64_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(value & 0xffffffff));
  return text;
}

// A file: URI for `path` (percent-encoding what a URI would misread).
std::string file_uri(const std::string& path) {
  const std::string absolute = fs::absolute(path).string();
  std::string uri = "file:";
  for (unsigned char c : absolute) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      uri += escaped;
    }
  }
  return uri;
}

bool is_corruption(const sqlite::SqliteError& e) {
  return e.primary_code() == SQLITE_NOTADB || e.primary_code() == SQLITE_CORRUPT;
}

// What a read-only look at an existing file found.
struct Inspection {
  std::int64_t application_id = 0;
  std::int64_t user_version = 0;
  std::int64_t tables = 0;
};

// Reads what the checks need. Corruption is reported as such, whichever
// query meets it first. With `check_pages`, SQLite's quick_check reads every
// page, so a damaged page refuses the file before anything writes to it.
Inspection read_inspection(sqlite::Database& db, const std::string& label, bool check_pages) {
  try {
    Inspection found;
    found.application_id = db.query_int("PRAGMA application_id");
    found.user_version = db.query_int("PRAGMA user_version");
    found.tables = db.query_int("SELECT count(*) FROM sqlite_master");
    if (check_pages && found.application_id == kStoreApplicationId) {
      sqlite::Statement check(db, "PRAGMA quick_check(1)");
      const std::string verdict = check.step() ? check.column_text(0) : std::string();
      if (verdict != "ok") {
        throw Error(label + ": file is corrupt (SQLite's integrity check: " + verdict +
                    "); it was left untouched");
      }
    }
    return found;
  } catch (const sqlite::SqliteError& e) {
    if (is_corruption(e)) throw Error(label + ": file is not a database or is corrupt");
    throw;
  }
}

// The application id in the file's own header (bytes 68-71, big-endian),
// read without SQLite: what the file says it is, whatever a -wal beside it
// holds. 0 when the file is too short to have one.
std::int64_t header_application_id(const std::string& path, const std::string& label) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw Error(label + ": cannot read the file");
  unsigned char header[72] = {};
  const std::size_t got = std::fread(header, 1, sizeof header, file);
  std::fclose(file);
  if (got < sizeof header) return 0;
  const std::uint32_t id = (std::uint32_t{header[68]} << 24) | (std::uint32_t{header[69]} << 16) |
                           (std::uint32_t{header[70]} << 8) | std::uint32_t{header[71]};
  return static_cast<std::int32_t>(id);
}

// Looks at an existing file without changing it: the connection is immutable
// (no locks, no -wal or -shm files, no hot-journal rollback), so even a
// foreign or damaged file stays byte-for-byte as it was. Only safe while no
// writer has the file in WAL use (no -wal beside it): an immutable reader
// could otherwise see a checkpoint half written.
Inspection inspect(const std::string& path, const std::string& label) {
  try {
    sqlite::Database db(file_uri(path) + "?mode=ro&immutable=1",
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, label);
    return read_inspection(db, label, /*check_pages=*/true);
  } catch (const sqlite::SqliteError& e) {
    if (is_corruption(e)) throw Error(label + ": file is not a database or is corrupt");
    throw;
  }
}

void check_application(const Inspection& found, const std::string& label) {
  if (found.application_id == kStoreApplicationId) return;
  if (found.tables > 0) {
    throw Error(label + ": not a nas fitness store (it has tables of another application)");
  }
  if (found.application_id != 0) {
    throw Error(label + ": not a nas fitness store (application id " +
                hex32(found.application_id) + ")");
  }
}

void check_not_newer(std::int64_t version, const std::string& label) {
  if (version > current_schema_version()) {
    throw Error(label + ": schema version " + std::to_string(version) +
                " is newer than this build knows (" + std::to_string(current_schema_version()) +
                "); use a newer nas to open it");
  }
}

std::string pragma_text(sqlite::Database& db, const std::string& sql) {
  sqlite::Statement statement(db, sql);
  return statement.step() ? statement.column_text(0) : std::string();
}

sqlite::Database open_for_reading(const std::string& path, const std::string& label) {
  try {
    return sqlite::Database(path, SQLITE_OPEN_READWRITE, label);
  } catch (const sqlite::SqliteError&) {
    // No write permission on the file or its folder.
    return sqlite::Database(path, SQLITE_OPEN_READONLY, label);
  }
}

}  // namespace

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

struct Store::Impl {
  Impl(std::string p, StoreMode m, sqlite::Database d)
      : path(std::move(p)), mode(m), db(std::move(d)) {}

  std::string path;
  StoreMode mode;
  int schema_version = 0;
  sqlite::Database db;
  // Declared after db so that every statement is finalized before the
  // connection closes.
  std::unordered_map<std::string, std::unique_ptr<sqlite::Statement>> statements;
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

std::unique_ptr<sqlite::Database> Store::connect(const std::string& path, StoreMode mode) {
  { Store::open(path, mode); }
  const bool read_only = mode == StoreMode::kReadOnly;
  auto db = std::make_unique<sqlite::Database>(
      path, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, "store " + path);
  db->set_busy_timeout(kBusyTimeoutMs);
  if (!read_only) db->exec("PRAGMA foreign_keys = ON");
  return db;
}

Store Store::open(const std::string& path, StoreMode mode) {
  const std::string label = "store " + path;
  const bool read_only = mode == StoreMode::kReadOnly;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (ec) throw Error(label + ": " + ec.message());
  if (exists && !fs::is_regular_file(path, ec)) throw Error(label + ": not a regular file");
  const bool empty = exists && fs::file_size(path, ec) == 0;
  if (read_only && !exists) throw Error(label + ": no such file");
  if (read_only && empty) throw Error(label + ": empty file, not a nas fitness store");

  // Every check runs before the first write. A file with a -wal beside it is
  // in WAL use by a connection (ours, presumably, or the -wal would not be
  // there), so the checks run on the real connection alone; otherwise a
  // look through an immutable connection comes first, so that a file we
  // refuse never gets a lock, a -wal or a -shm.
  const bool fresh_file = !exists || empty;
  const bool has_wal = !fresh_file && fs::exists(path + "-wal");
  if (!fresh_file && !has_wal) {
    const Inspection found = inspect(path, label);
    check_application(found, label);
    check_not_newer(found.user_version, label);
  }
  // A store is marked ours before it first goes to WAL mode, so a file in WAL
  // use whose own header does not say so belongs to someone else: opening it
  // would fold that application's -wal into it.
  if (has_wal && header_application_id(path, label) != kStoreApplicationId) {
    throw Error(label + ": not a nas fitness store (a database of another application, "
                "with a write-ahead log); it was left untouched");
  }

  sqlite::Database db =
      read_only ? open_for_reading(path, label)
                : sqlite::Database(path, SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE),
                                   label);
  db.set_busy_timeout(kBusyTimeoutMs);
  if (read_only) db.exec("PRAGMA query_only = ON");

  // Again on the live connection, which sees what is still in the -wal.
  bool fresh = fresh_file;
  std::int64_t version = 0;
  if (!fresh_file) {
    Inspection live;
    try {
      // The pages are checked here only when the -wal kept the immutable
      // look away: the live connection is the first to see them then.
      live = read_inspection(db, label, /*check_pages=*/has_wal);
      check_application(live, label);
      check_not_newer(live.user_version, label);
    } catch (const Error&) {
      // Refused: closing must not fold the -wal into a file we refuse.
      sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
      throw;
    }
    fresh = live.application_id != kStoreApplicationId;  // an empty SQLite database
    version = live.user_version;
  }

  if (read_only) {
    if (fresh) throw Error(label + ": empty database, not a nas fitness store");
    if (version < current_schema_version()) {
      throw Error(label + ": schema version " + std::to_string(version) +
                  " is older than this build's (" + std::to_string(current_schema_version()) +
                  "); open it read-write once (e.g. with `nas run`) to upgrade it");
    }
    auto impl = std::make_unique<Impl>(path, mode, std::move(db));
    impl->schema_version = static_cast<int>(version);
    return Store(std::move(impl));
  }

  if (fresh) {
    // Marked ours first, in the default rollback mode, so that the main file
    // says what it is even before the first checkpoint.
    db.exec("PRAGMA application_id = " + std::to_string(kStoreApplicationId));
  }
  const std::string journal = pragma_text(db, "PRAGMA journal_mode = WAL");
  if (journal != "wal") {
    throw Error(label + ": cannot switch to WAL journal mode (got '" + journal + "')");
  }
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);

  auto impl = std::make_unique<Impl>(path, mode, std::move(db));
  impl->schema_version = static_cast<int>(impl->db.query_int("PRAGMA user_version"));
  return Store(std::move(impl));
}

const std::string& Store::path() const { return impl_->path; }
StoreMode Store::mode() const { return impl_->mode; }
int Store::schema_version() const { return impl_->schema_version; }

sqlite::Database& Store::database() const { return impl_->db; }

sqlite::Statement& Store::statement(std::string_view sql) const {
  auto& slot = impl_->statements[std::string(sql)];
  if (!slot) slot = std::make_unique<sqlite::Statement>(impl_->db, sql);
  return *slot;
}

void Store::require_writable(const char* what) const {
  if (impl_->mode != StoreMode::kReadWrite) {
    throw UsageError("store " + impl_->path + ": opened read-only, cannot " + what);
  }
}

// ------------------------------------------------------------ the run side

std::int64_t Store::begin_run(const RunInfo& info) {
  require_writable("begin a run");
  sqlite::Transaction transaction(impl_->db);
  auto& insert = statement(
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
  const std::int64_t id = sqlite3_last_insert_rowid(impl_->db.handle());
  transaction.commit();
  return id;
}

std::optional<ResumableRun> Store::find_resumable_run(const std::string& name) const {
  auto& query = statement(
      "SELECT id, config_hash FROM runs WHERE name = ? AND status = 'running'"
      " ORDER BY id DESC LIMIT 1");
  sqlite::ResetOnExit reset(query);
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  return ResumableRun{query.column_int64(0), query.column_text(1)};
}

std::int64_t Store::begin_session(std::int64_t run_id) {
  require_writable("begin a session");
  sqlite::Transaction transaction(impl_->db);
  {
    auto& exists = statement("SELECT 1 FROM runs WHERE id = ?");
    sqlite::ResetOnExit reset(exists);
    exists.bind(1, run_id);
    if (!exists.step()) {
      throw UsageError("store " + impl_->path + ": no run with id " + std::to_string(run_id));
    }
  }
  auto& insert = statement(
      "INSERT INTO sessions (run_id, started_at, updated_at) VALUES (?1, ?2, ?2)");
  sqlite::ResetOnExit reset(insert);
  insert.bind(1, run_id).bind(2, unix_now());
  insert.run();
  const std::int64_t id = sqlite3_last_insert_rowid(impl_->db.handle());
  transaction.commit();
  return id;
}

void Store::finish_run(std::int64_t run_id) {
  require_writable("finish a run");
  sqlite::Transaction transaction(impl_->db);
  auto& update =
      statement("UPDATE runs SET status = 'finished', finished_at = ? WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, unix_now()).bind(2, run_id);
  update.run();
  if (impl_->db.changes() != 1) {
    throw UsageError("store " + impl_->path + ": no run with id " + std::to_string(run_id));
  }
  transaction.commit();
}

void Store::record_supernet(std::int64_t run_id, double seconds, const std::string& device) {
  require_writable("record supernet training");
  sqlite::Transaction transaction(impl_->db);
  auto& update = statement(
      "UPDATE runs SET supernet_seconds = coalesce(supernet_seconds, 0) + ?, supernet_device = ?"
      " WHERE id = ?");
  sqlite::ResetOnExit reset(update);
  update.bind(1, seconds).bind(2, device).bind(3, run_id);
  update.run();
  if (impl_->db.changes() != 1) {
    throw UsageError("store " + impl_->path + ": no run with id " + std::to_string(run_id));
  }
  transaction.commit();
}

void Store::write_front(std::int64_t run_id, const std::vector<std::string>& arch_ids) {
  require_writable("write a front");
  sqlite::Transaction transaction(impl_->db);
  {
    auto& erase = statement("DELETE FROM front WHERE run_id = ?");
    sqlite::ResetOnExit reset(erase);
    erase.bind(1, run_id);
    erase.run();
  }
  auto& insert = statement("INSERT INTO front (run_id, position, arch_id) VALUES (?, ?, ?)");
  for (std::size_t i = 0; i < arch_ids.size(); ++i) {
    if (!arch_json(arch_ids[i])) {
      throw UsageError("store " + impl_->path + ": front of run " + std::to_string(run_id) +
                       " names architecture " + arch_ids[i] + ", which is not in the store");
    }
    sqlite::ResetOnExit reset(insert);
    insert.bind(1, run_id).bind(2, static_cast<std::int64_t>(i) + 1).bind(3, arch_ids[i]);
    insert.run();
  }
  transaction.commit();
}

// ------------------------------------------------------------ the read side

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

}  // namespace

std::vector<RunSummary> Store::list_runs() const {
  auto& query = statement(kRunSummarySql);
  sqlite::ResetOnExit reset(query);
  std::vector<RunSummary> out;
  while (query.step()) out.push_back(read_summary(query));
  return out;
}

std::optional<RunSummary> Store::run(std::int64_t run_id) const {
  auto& query = statement(kRunSummarySql);
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  if (!query.step()) return std::nullopt;
  return read_summary(query);
}

std::string Store::run_config(std::int64_t run_id) const {
  auto& query = statement("SELECT config_json FROM runs WHERE id = ?");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  if (!query.step()) {
    throw UsageError("store " + impl_->path + ": no run with id " + std::to_string(run_id));
  }
  return query.column_text(0);
}

std::vector<std::string> Store::front(std::int64_t run_id) const {
  auto& query = statement("SELECT arch_id FROM front WHERE run_id = ? ORDER BY position");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.column_text(0));
  return out;
}

std::vector<std::string> Store::queried_archs(std::int64_t run_id) const {
  auto& query =
      statement("SELECT arch_id FROM history WHERE run_id = ? AND new_query = 1"
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

std::vector<Evaluation> Store::evaluations(const std::string& arch_id) const {
  auto& query = statement(R"sql(
SELECT e.metric, e.source, e.device, e.fidelity, e.value, e.note, e.measurement_id,
       m.device, m.backend, m.protocol, m.runner, m.batch, m.threads, m.median_ms, m.p90_ms,
       m.mean_ms, m.std_ms, m.min_ms, m.energy_mj, m.idle_watts, m.active_watts,
       m.environment_json, m.measured_at
FROM evaluations e LEFT JOIN measurements m ON m.id = e.measurement_id
WHERE e.arch_id = ? ORDER BY e.id)sql");
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
        auto m = std::make_shared<MeasurementRecord>();
        m->device = query.column_text(7);
        m->backend = query.column_text(8);
        m->protocol = query.column_text(9);
        m->runner = query.column_text(10);
        m->batch = static_cast<int>(query.column_int64(11));
        m->threads = static_cast<int>(query.column_int64(12));
        m->median_ms = query.column_double(13);
        m->p90_ms = query.column_double(14);
        m->mean_ms = query.column_double(15);
        m->std_ms = query.column_double(16);
        m->min_ms = query.column_double(17);
        m->energy_mj = query.column_optional_double(18);
        m->idle_watts = query.column_optional_double(19);
        m->active_watts = query.column_optional_double(20);
        m->environment = nlohmann::json::parse(query.column_text(21), nullptr, false);
        if (m->environment.is_discarded()) m->environment = nlohmann::json::object();
        m->measured_at = query.column_double(22);
        last = std::move(m);
        last_id = *id;
      }
      e.measurement = last;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<StoredArch> Store::arch(const std::string& arch_id) const {
  auto& query =
      statement("SELECT space, canonical_json, macs, params FROM archs WHERE id = ?");
  sqlite::ResetOnExit reset(query);
  query.bind(1, arch_id);
  if (!query.step()) return std::nullopt;
  return StoredArch{query.column_text(0), query.column_text(1), query.column_optional_double(2),
                    query.column_optional_double(3)};
}

std::vector<DeviceMeasurements> Store::measurement_counts(std::int64_t run_id) const {
  auto& query = statement(
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

std::vector<DeviceSpend> Store::measurement_spend(std::int64_t run_id) const {
  // One row per (arch, device) job of the run: whether it confirmed a
  // prediction, and whether none of its values is usable.
  auto& query = statement(R"sql(
SELECT device,
       sum(NOT confirming), sum(confirming), sum(failed)
FROM (SELECT e.arch_id, e.device,
             EXISTS (SELECT 1 FROM evaluations p
                     WHERE p.arch_id = e.arch_id AND p.device = e.device
                       AND p.source = 'predicted' AND p.run_id = e.run_id) AS confirming,
             max(e.value IS NOT NULL) = 0 AS failed
      FROM evaluations e
      WHERE e.run_id = ?1 AND e.device <> '' AND e.source IN ('measured', 'tabular')
      GROUP BY e.arch_id, e.device)
GROUP BY device ORDER BY device)sql");
  sqlite::ResetOnExit reset(query);
  query.bind(1, run_id);
  std::vector<DeviceSpend> out;
  while (query.step()) {
    out.push_back({query.column_text(0), query.column_int64(1), query.column_int64(2),
                   query.column_int64(3)});
  }
  return out;
}

std::optional<std::string> Store::arch_json(const std::string& arch_id) const {
  auto& query = statement("SELECT canonical_json FROM archs WHERE id = ?");
  sqlite::ResetOnExit reset(query);
  query.bind(1, arch_id);
  if (!query.step()) return std::nullopt;
  return query.column_text(0);
}

std::int64_t Store::count_excluded(std::int64_t run_id,
                                   const std::vector<std::string>& metrics) const {
  auto& query = statement(R"sql(
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

}  // namespace nas

#include "results/store_opening.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <system_error>

#include "core/errors.h"
#include "results/schema.h"
#include "results/sqlite.h"
#include "results/store_connection.h"
#include "results/store_inspection.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

// How long a connection waits for a lock held by another before it reports
// "database is locked". Writes are short transactions, so this is generous.
constexpr int kBusyTimeoutMs = 10000;

// The pragma's one text value; the statement is finalized before it returns,
// so that no statement is in progress when a transaction commits.
std::string pragma_text(sqlite::Database& db, const std::string& sql) {
  sqlite::Statement statement(db, sql);
  return statement.step() ? statement.column_text(0) : std::string();
}

// What the file system says about the path before SQLite sees it.
struct FileState {
  bool exists = false;
  bool fresh = false;    // missing or empty: a new store
  bool has_wal = false;  // a -wal beside it: in WAL use by some connection
};

FileState look_at_file(const std::string& path, StoreMode mode, const std::string& label) {
  FileState file;
  std::error_code ec;
  file.exists = fs::exists(path, ec);
  if (ec) throw Error(label + ": " + ec.message());
  if (file.exists && !fs::is_regular_file(path, ec)) throw Error(label + ": not a regular file");
  bool empty = false;
  if (file.exists) {
    empty = fs::file_size(path, ec) == 0;
    if (ec) throw Error(label + ": " + ec.message());
  }
  if (mode == StoreMode::kReadOnly && !file.exists) throw Error(label + ": no such file");
  if (mode == StoreMode::kReadOnly && empty) {
    throw Error(label + ": empty file, not a nas fitness store");
  }
  file.fresh = !file.exists || empty;
  file.has_wal = !file.fresh && fs::exists(path + "-wal");
  return file;
}

// Every check that can run before SQLite opens the file for real. A file in
// WAL use is checked on the real connection alone (an immutable look could
// see a checkpoint half written); otherwise an immutable look comes first,
// so that a file we refuse never gets a lock, a -wal or a -shm.
void check_before_opening(const std::string& path, const FileState& file,
                          const std::string& label) {
  if (file.fresh) return;
  if (!file.has_wal) {
    check_is_our_store(inspect_file(path, label), label);
    return;
  }
  // A store is marked ours before it first goes to WAL mode, so a file in
  // WAL use whose own header does not say so belongs to someone else:
  // opening it would fold that application's -wal into it.
  if (header_application_id(path, label) != kStoreApplicationId) {
    throw Error(label + ": not a nas fitness store (a database of another application, "
                "with a write-ahead log); it was left untouched");
  }
}

sqlite::Database open_connection(const std::string& path, StoreMode mode, const FileState& file,
                                 const std::string& label) {
  if (mode == StoreMode::kReadWrite) {
    return sqlite::Database(
        path, SQLITE_OPEN_READWRITE | (file.exists ? 0 : SQLITE_OPEN_CREATE), label);
  }
  try {
    return sqlite::Database(path, SQLITE_OPEN_READWRITE, label);
  } catch (const sqlite::SqliteError&) {
    // No write permission on the file or its folder.
    return sqlite::Database(path, SQLITE_OPEN_READONLY, label);
  }
}

// The checks again on the live connection, which sees what is still in the
// -wal. Returns what it found; an empty database has application id 0.
Inspection check_live_connection(sqlite::Database& db, const FileState& file,
                                 const std::string& label) {
  if (file.fresh) return Inspection{};
  try {
    // The pages are checked here only when the -wal kept the immutable look
    // away: the live connection is the first to see them then.
    const Inspection live = inspect_connection(db, label, /*check_pages=*/file.has_wal);
    check_is_our_store(live, label);
    return live;
  } catch (const Error&) {
    // Refused: closing must not fold the -wal into a file we refuse.
    db.keep_wal_on_close();
    throw;
  }
}

void require_current_schema(const Inspection& live, const std::string& label) {
  if (live.application_id != kStoreApplicationId) {
    throw Error(label + ": empty database, not a nas fitness store");
  }
  if (live.user_version < current_schema_version()) {
    throw Error(label + ": schema version " + std::to_string(live.user_version) +
                " is older than this build's (" + std::to_string(current_schema_version()) +
                "); open it read-write once (e.g. with `nas run`) to upgrade it");
  }
}

// WAL journal, synchronous=NORMAL, foreign keys, then pending migrations.
// Returns the schema version after them.
int prepare_for_writing(sqlite::Database& db, const Inspection& live, const std::string& label) {
  if (live.application_id != kStoreApplicationId) {
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
  return static_cast<int>(db.query_int("PRAGMA user_version"));
}

}  // namespace

std::unique_ptr<StoreConnection> open_store_file(const std::string& path, StoreMode mode) {
  const std::string label = "store " + path;
  const FileState file = look_at_file(path, mode, label);
  check_before_opening(path, file, label);

  sqlite::Database db = open_connection(path, mode, file, label);
  db.set_busy_timeout(kBusyTimeoutMs);
  if (mode == StoreMode::kReadOnly) db.exec("PRAGMA query_only = ON");
  const Inspection live = check_live_connection(db, file, label);

  int version = 0;
  if (mode == StoreMode::kReadOnly) {
    require_current_schema(live, label);
    version = static_cast<int>(live.user_version);
  } else {
    version = prepare_for_writing(db, live, label);
  }
  return std::make_unique<StoreConnection>(path, mode, version, std::move(db));
}

std::unique_ptr<sqlite::Database> connect_store_file(const std::string& path, StoreMode mode) {
  open_store_file(path, mode);
  const bool read_only = mode == StoreMode::kReadOnly;
  auto db = std::make_unique<sqlite::Database>(
      path, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, "store " + path);
  db->set_busy_timeout(kBusyTimeoutMs);
  if (!read_only) db->exec("PRAGMA foreign_keys = ON");
  return db;
}

}  // namespace nas

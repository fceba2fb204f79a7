// Looking at a file before the store opens it for real: whether it is a
// SQLite database, ours, undamaged and of a schema this build knows. Every
// check here only reads, so a refused file is left byte-for-byte as it was.
// Internal to the store (results/store_opening.cpp).
#pragma once

#include <cstdint>
#include <string>

namespace nas {

namespace sqlite {
class Database;
}

// What a read-only look at an existing file found.
struct Inspection {
  std::int64_t application_id = 0;
  std::int64_t user_version = 0;
  std::int64_t tables = 0;
};

// Looks at the file at `path` through an immutable connection (no locks, no
// -wal or -shm files, no hot-journal rollback), pages checked with SQLite's
// quick_check when the file says it is ours. REQUIRES: no -wal beside the
// file (an immutable reader could see a checkpoint half written).
// Throws nas::Error after `label` for a file that is not a database, or is
// corrupt.
Inspection inspect_file(const std::string& path, const std::string& label);

// The same look through `db`, a live connection that sees what is still in
// the -wal; with `check_pages`, the quick_check too.
Inspection inspect_connection(sqlite::Database& db, const std::string& label, bool check_pages);

// The application id in the file's own header, read without SQLite: what the
// file says it is, whatever a -wal beside it holds. 0 when the file is too
// short to have one. Throws nas::Error when the file cannot be read.
std::int64_t header_application_id(const std::string& path, const std::string& label);

// Throws nas::Error after `label` unless `found` is a store of ours or an
// empty database: "not a nas fitness store (...)", or a schema version newer
// than this build knows.
void check_is_our_store(const Inspection& found, const std::string& label);

}  // namespace nas

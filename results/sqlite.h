// Small RAII wrappers over the SQLite C API, for the fitness store only.
//
// Every SQLite failure becomes a SqliteError (a nas::Error) whose message
// starts with the database's label, e.g. "store results/run.db: database is
// locked"; no SQLite result code escapes as a bare integer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nas::sqlite {

// A SQLite failure. code() is the extended SQLite result code, for callers
// that must tell a constraint violation or a busy database from the rest.
class SqliteError : public Error {
 public:
  SqliteError(const std::string& message, int code) : Error(message), code_(code) {}
  int code() const { return code_; }
  int primary_code() const { return code_ & 0xff; }

 private:
  int code_;
};

// One connection. Move-only; closes the connection in its destructor.
class Database {
 public:
  // Opens `path` with sqlite3_open_v2 `flags` (SQLITE_OPEN_*). `label` starts
  // every error message ("store results/run.db"). Throws SqliteError.
  Database(const std::string& path, int flags, std::string label);
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without parameters (pragmas, schema DDL).
  // Data with values always goes through Statement and bind().
  void exec(const std::string& sql);

  // The first column of the first row of `sql` as an integer (pragmas).
  std::int64_t query_int(const std::string& sql);

  void set_busy_timeout(int milliseconds);

  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  std::int64_t changes() const;

  // The rowid of the last successful INSERT on this connection.
  std::int64_t last_insert_rowid() const;

  // Closing will not checkpoint the -wal into the file: for a connection to
  // a file that was refused, which must be left as it was.
  void keep_wal_on_close() noexcept;

  // Throws SqliteError with the connection's current error message,
  // prefixed with the label (and `context` when not empty).
  [[noreturn]] void raise(int code, std::string_view context = {}) const;

  const std::string& label() const { return label_; }
  sqlite3* handle() const { return db_; }

 private:
  void close() noexcept;

  sqlite3* db_ = nullptr;
  std::string label_;
};

// A prepared statement. Move-only; finalized in its destructor. Indexes of
// bind() start at 1, of column_*() at 0, as in SQLite.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<double>& value);  // NULL when absent
  Statement& bind_null(int index);

  // Advances to the next row: true if there is one, false when done.
  // Throws SqliteError (constraint violations included).
  bool step();

  // Steps a statement that returns no rows (INSERT, UPDATE, DELETE).
  void run();

  // Back to the start, bindings cleared, so the statement can be reused and
  // holds no read snapshot open.
  void reset() noexcept;

  bool column_is_null(int index) const;
  std::int64_t column_int64(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;  // "" for NULL
  std::optional<double> column_optional_double(int index) const;
  std::optional<std::int64_t> column_optional_int64(int index) const;

 private:
  void check_bind(int rc, int index);

  Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a (cached) statement when it goes out of scope, whether the rows
// were read to the end or not, so that no statement keeps a snapshot open.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

// A write transaction (BEGIN IMMEDIATE, so a second writer waits on the busy
// timeout at the start instead of failing at its first write). Rolls back in
// its destructor unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Throws SqliteError; the transaction is then rolled back by the destructor.
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace nas::sqlite

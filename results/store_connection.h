// One open connection to a fitness store and its cached prepared statements:
// what the store's reads (store_reader.h) and writes (store_writer.h) share.
// Internal to the store: only results/store*.cpp include it; everyone else
// goes through Store (results/store.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "results/sqlite.h"
#include "results/store.h"

namespace nas {

class StoreConnection {
 public:
  // REQUIRES: `db` passed open_store_file's checks and, for kReadWrite, its
  // migrations (results/store_opening.h); `schema_version` is what it found.
  StoreConnection(std::string path, StoreMode mode, int schema_version, sqlite::Database db);

  // Not movable: every cached statement points at db_.
  StoreConnection(const StoreConnection&) = delete;
  StoreConnection& operator=(const StoreConnection&) = delete;

  const std::string& path() const { return path_; }
  StoreMode mode() const { return mode_; }
  int schema_version() const { return schema_version_; }
  sqlite::Database& database() { return db_; }

  // "store <path>": how every error message of the store starts.
  std::string label() const { return "store " + path_; }

  // A prepared statement kept for the connection's lifetime, keyed by its
  // SQL. Callers reset it when done (sqlite::ResetOnExit).
  sqlite::Statement& statement(std::string_view sql);

  // Throws nas::UsageError ("store <path>: opened read-only, cannot <what>")
  // unless the store is open kReadWrite.
  void require_writable(const char* what) const;

  // Throws nas::UsageError ("store <path>: no run with id <run_id>").
  [[noreturn]] void throw_no_run(std::int64_t run_id) const;

 private:
  std::string path_;
  StoreMode mode_;
  int schema_version_;
  sqlite::Database db_;
  // Declared after db_ so that every statement is finalized before the
  // connection closes.
  std::unordered_map<std::string, std::unique_ptr<sqlite::Statement>> statements_;
};

}  // namespace nas

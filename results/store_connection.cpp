#include "results/store_connection.h"

#include <utility>

#include "core/errors.h"

namespace nas {

StoreConnection::StoreConnection(std::string path, StoreMode mode, int schema_version,
                                 sqlite::Database db)
    : path_(std::move(path)), mode_(mode), schema_version_(schema_version), db_(std::move(db)) {}

sqlite::Statement& StoreConnection::statement(std::string_view sql) {
  auto& slot = statements_[std::string(sql)];
  if (!slot) slot = std::make_unique<sqlite::Statement>(db_, sql);
  return *slot;
}

void StoreConnection::require_writable(const char* what) const {
  if (mode_ != StoreMode::kReadWrite) {
    throw UsageError(label() + ": opened read-only, cannot " + what);
  }
}

void StoreConnection::throw_no_run(std::int64_t run_id) const {
  throw UsageError(label() + ": no run with id " + std::to_string(run_id));
}

}  // namespace nas

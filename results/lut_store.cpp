#include "results/lut_store.h"

#include "core/errors.h"
#include "results/sqlite.h"

namespace nas {

LutStore LutStore::open(const std::string& path, StoreMode mode) {
  return LutStore(path, mode, Store::connect(path, mode));
}

LutStore::LutStore(std::string path, StoreMode mode, std::unique_ptr<sqlite::Database> db)
    : path_(std::move(path)), mode_(mode), db_(std::move(db)) {}
LutStore::LutStore(LutStore&&) noexcept = default;
LutStore& LutStore::operator=(LutStore&&) noexcept = default;
LutStore::~LutStore() = default;

void LutStore::put_entry(const std::string& device, const std::string& protocol,
                         const std::string& block_key, const LutEntryRecord& e) {
  if (mode_ != StoreMode::kReadWrite) {
    throw UsageError("store " + path_ + ": opened read-only, cannot write a look-up table");
  }
  sqlite::Transaction transaction(*db_);
  sqlite::Statement insert(
      *db_,
      "INSERT OR REPLACE INTO lut_entries (device, protocol, block_key, block_json, median_ms,"
      " p90_ms, mean_ms, std_ms, min_ms, samples, runner, environment_json, measured_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, device).bind(2, protocol).bind(3, block_key).bind(4, e.block_json);
  insert.bind(5, e.median_ms).bind(6, e.p90_ms).bind(7, e.mean_ms).bind(8, e.std_ms);
  insert.bind(9, e.min_ms).bind(10, e.samples).bind(11, e.runner).bind(12, e.environment_json);
  insert.bind(13, unix_now());
  insert.run();
  transaction.commit();
}

std::map<std::string, LutEntryRecord> LutStore::entries(const std::string& device,
                                                        const std::string& protocol) const {
  sqlite::Statement query(
      *db_,
      "SELECT block_key, block_json, median_ms, p90_ms, mean_ms, std_ms, min_ms, samples, runner,"
      " environment_json FROM lut_entries WHERE device = ? AND protocol = ?");
  query.bind(1, device).bind(2, protocol);
  std::map<std::string, LutEntryRecord> out;
  while (query.step()) {
    LutEntryRecord e;
    e.block_json = query.column_text(1);
    e.median_ms = query.column_double(2);
    e.p90_ms = query.column_double(3);
    e.mean_ms = query.column_double(4);
    e.std_ms = query.column_double(5);
    e.min_ms = query.column_double(6);
    e.samples = query.column_int64(7);
    e.runner = query.column_text(8);
    e.environment_json = query.column_text(9);
    out.emplace(query.column_text(0), std::move(e));
  }
  return out;
}

void LutStore::put_fit(const std::string& device, const std::string& space,
                       const std::string& protocol, const LutFitRecord& fit) {
  if (mode_ != StoreMode::kReadWrite) {
    throw UsageError("store " + path_ + ": opened read-only, cannot write a look-up table");
  }
  sqlite::Transaction transaction(*db_);
  sqlite::Statement insert(
      *db_,
      "INSERT OR REPLACE INTO lut_fits (device, space, protocol, overhead_ms, scale, subnets,"
      " residual_ms, fitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, device).bind(2, space).bind(3, protocol).bind(4, fit.overhead_ms);
  insert.bind(5, fit.scale).bind(6, fit.subnets).bind(7, fit.residual_ms).bind(8, unix_now());
  insert.run();
  transaction.commit();
}

std::optional<LutFitRecord> LutStore::fit(const std::string& device, const std::string& space,
                                          const std::string& protocol) const {
  sqlite::Statement query(*db_,
                          "SELECT overhead_ms, scale, subnets, residual_ms FROM lut_fits"
                          " WHERE device = ? AND space = ? AND protocol = ?");
  query.bind(1, device).bind(2, space).bind(3, protocol);
  if (!query.step()) return std::nullopt;
  return LutFitRecord{query.column_double(0), query.column_double(1), query.column_int64(2),
                      query.column_double(3)};
}

}  // namespace nas

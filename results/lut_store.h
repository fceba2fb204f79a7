// Per-device block look-up tables in the fitness store (tables lut_entries
// and lut_fits, results/lut_schema.cpp): what `nas lut build` writes and
// `nas predictor eval` reads.
//
// A LutStore opens the file through Store::open (every check and migration
// of the store applies) and then keeps its own connection to it; like Store,
// it is used from one thread. Every method throws nas::Error with the
// store's path in the message.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "results/store.h"

namespace nas {

namespace sqlite {
class Database;
}

// One block measured alone: the latency statistics of its job.
struct LutEntryRecord {
  std::string block_json;  // Mbv3BlockConfig::to_json(), compact
  double median_ms = 0, p90_ms = 0, mean_ms = 0, std_ms = 0, min_ms = 0;
  std::int64_t samples = 0;
  std::string runner;
  std::string environment_json = "{}";
};

// A space's whole-network term (estimators/device_lut.h's LutFit).
struct LutFitRecord {
  double overhead_ms = 0;
  double scale = 1;
  std::int64_t subnets = 0;
  double residual_ms = 0;
};

class LutStore {
 public:
  static LutStore open(const std::string& path, StoreMode mode);
  LutStore(LutStore&&) noexcept;
  LutStore& operator=(LutStore&&) noexcept;
  ~LutStore();

  // Adds or replaces the entry of `block_key`. REQUIRES: kReadWrite.
  void put_entry(const std::string& device, const std::string& protocol,
                 const std::string& block_key, const LutEntryRecord& entry);
  // Every entry of the device and protocol, by block key.
  std::map<std::string, LutEntryRecord> entries(const std::string& device,
                                                const std::string& protocol) const;

  // Adds or replaces the space's fit. REQUIRES: kReadWrite.
  void put_fit(const std::string& device, const std::string& space, const std::string& protocol,
               const LutFitRecord& fit);
  std::optional<LutFitRecord> fit(const std::string& device, const std::string& space,
                                  const std::string& protocol) const;

 private:
  LutStore(std::string path, StoreMode mode, std::unique_ptr<sqlite::Database> db);

  std::string path_;
  StoreMode mode_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace nas

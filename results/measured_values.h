// The measured values of one metric on one device, across every run of a
// store: what `nas predictor eval` trains and tests predictors on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nas {

struct MeasuredValue {
  std::string arch_id;
  std::string space;           // the architecture's space name
  std::string canonical_json;  // its canonical form
  std::string fidelity;        // the measuring protocol's key
  double value = 0;
  std::optional<std::int64_t> run_id;  // the run that measured it, if any
};

// Every evaluation of `metric` on `device` with source measured and a value,
// oldest first. Opens the store read-only (Store::open's checks); throws
// nas::Error naming the store.
std::vector<MeasuredValue> measured_values(const std::string& store_path,
                                           const std::string& metric, const std::string& device);

}  // namespace nas

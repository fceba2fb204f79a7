// Intel RAPL through the powercap sysfs interface: the energy counters of
// the CPU package domains (/sys/class/powercap/intel-rapl:N/energy_uj).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "device_runners/board/power_meter.h"

namespace nas {

class RaplMeter : public PowerMeter {
 public:
  // `dir` is either one domain (a folder holding energy_uj) or a powercap
  // root whose top-level domains intel-rapl:N are all read and summed (the
  // package domains; a "psys" platform domain, which already contains the
  // packages, is left out when packages are present). Throws nas::Error
  // naming the folder or file when there is no domain, or a counter or its
  // max_energy_range_uj cannot be read (on Linux >= 5.10 energy_uj is
  // readable by root only).
  explicit RaplMeter(const std::string& dir = "/sys/class/powercap");

  std::string name() const override { return "rapl"; }

  // Mean power since the previous call, from the counters' difference; a
  // counter that went down wrapped at its max_energy_range_uj. The first
  // call primes the counters and returns nullopt.
  std::optional<double> read_watts() override;
  bool reads_interval_mean() const override { return true; }

  // The domain folders read.
  const std::vector<std::string>& domains() const { return domains_; }

 private:
  struct Counter {
    std::string energy_file;
    std::uint64_t max_range_uj = 0;
    std::uint64_t last_uj = 0;
  };
  std::vector<std::string> domains_;
  std::vector<Counter> counters_;
  std::optional<std::chrono::steady_clock::time_point> last_time_;
};

}  // namespace nas

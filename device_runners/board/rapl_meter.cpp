#include "device_runners/board/rapl_meter.h"

#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <regex>

#include "core/errors.h"
#include "device_runners/board/sysfs_file.h"

namespace nas {
namespace {

std::vector<std::string> top_level_domains(const std::string& root) {
  std::vector<std::string> found;
  DIR* dir = ::opendir(root.c_str());
  if (!dir) {
    throw Error("rapl: cannot open " + root + ": " + std::strerror(errno));
  }
  static const std::regex kTopLevel("intel-rapl:[0-9]+");
  while (const dirent* entry = ::readdir(dir)) {
    if (std::regex_match(entry->d_name, kTopLevel)) found.push_back(root + "/" + entry->d_name);
  }
  ::closedir(dir);
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

RaplMeter::RaplMeter(const std::string& dir) {
  if (sysfs::exists(dir + "/energy_uj")) {
    domains_.push_back(dir);
  } else {
    std::vector<std::string> all = top_level_domains(dir);
    std::vector<std::string> packages;
    for (const auto& d : all) {
      auto name = sysfs::try_read_text(d + "/name");
      if (name && name->rfind("package", 0) == 0) packages.push_back(d);
    }
    domains_ = packages.empty() ? all : packages;
    if (domains_.empty()) {
      throw Error("rapl: no RAPL domain (intel-rapl:N with energy_uj) under " + dir);
    }
  }
  for (const auto& d : domains_) {
    Counter c;
    c.energy_file = d + "/energy_uj";
    c.max_range_uj = sysfs::read_unsigned(d + "/max_energy_range_uj");
    if (c.max_range_uj == 0) throw Error(d + "/max_energy_range_uj: must be > 0");
    try {
      sysfs::read_unsigned(c.energy_file);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) +
                  " (RAPL counters are readable by root only since Linux 5.10: run the "
                  "runner as root or make energy_uj readable)");
    }
    counters_.push_back(c);
  }
}

std::optional<double> RaplMeter::read_watts() {
  const auto now = std::chrono::steady_clock::now();
  double joules = 0;
  for (auto& c : counters_) {
    const std::uint64_t uj = sysfs::read_unsigned(c.energy_file);
    if (uj > c.max_range_uj) {
      throw Error(c.energy_file + ": " + std::to_string(uj) + " exceeds max_energy_range_uj " +
                  std::to_string(c.max_range_uj));
    }
    if (last_time_) {
      // The counter runs from 0 to max_energy_range_uj and starts over.
      const std::uint64_t delta = uj >= c.last_uj ? uj - c.last_uj : uj + (c.max_range_uj - c.last_uj);
      joules += static_cast<double>(delta) * 1e-6;
    }
    c.last_uj = uj;
  }
  const auto previous = last_time_;
  last_time_ = now;
  if (!previous) return std::nullopt;
  const double seconds = std::chrono::duration<double>(now - *previous).count();
  if (seconds <= 0) return std::nullopt;
  return joules / seconds;
}

}  // namespace nas

#include "device_runners/board/environment.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <set>
#include <thread>

#include "device_runners/board/sysfs_file.h"

namespace nas {
namespace {

// Entries of `dir` matching `pattern`, ordered by their first number group.
std::vector<std::pair<long, std::string>> numbered_entries(const std::string& dir,
                                                           const std::regex& pattern) {
  std::vector<std::pair<long, std::string>> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* entry = ::readdir(d)) {
    std::cmatch m;
    if (std::regex_match(entry->d_name, m, pattern)) {
      out.emplace_back(std::strtol(m[1].str().c_str(), nullptr, 10), entry->d_name);
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void put_integer(nlohmann::json& j, const char* key, const std::string& file) {
  if (auto v = sysfs::try_read_number(file)) j[key] = static_cast<long long>(*v);
}

nlohmann::json read_cpus(const std::string& root, std::set<std::string>& governors) {
  nlohmann::json cpus = nlohmann::json::array();
  const std::string base = root + "/devices/system/cpu";
  for (const auto& [n, name] : numbered_entries(base, std::regex("cpu([0-9]+)"))) {
    const std::string dir = base + "/" + name;
    nlohmann::json cpu = {{"cpu", n}};
    const std::string freq = dir + "/cpufreq";
    if (auto g = sysfs::try_read_text(freq + "/scaling_governor")) {
      cpu["governor"] = *g;
      governors.insert(*g);
    }
    put_integer(cpu, "cur_khz", freq + "/scaling_cur_freq");
    put_integer(cpu, "min_khz", freq + "/scaling_min_freq");
    put_integer(cpu, "max_khz", freq + "/scaling_max_freq");
    put_integer(cpu, "hw_max_khz", freq + "/cpuinfo_max_freq");
    put_integer(cpu, "core_throttle_count", dir + "/thermal_throttle/core_throttle_count");
    put_integer(cpu, "package_throttle_count", dir + "/thermal_throttle/package_throttle_count");
    if (cpu.size() > 1) cpus.push_back(cpu);
  }
  return cpus;
}

nlohmann::json read_devfreq(const std::string& root) {
  nlohmann::json out = nlohmann::json::array();
  const std::string base = root + "/class/devfreq";
  for (const auto& name : entries(base)) {
    const std::string dir = base + "/" + name;
    nlohmann::json dev = {{"device", name}};
    if (auto g = sysfs::try_read_text(dir + "/governor")) dev["governor"] = *g;
    put_integer(dev, "cur_hz", dir + "/cur_freq");
    put_integer(dev, "min_hz", dir + "/min_freq");
    put_integer(dev, "max_hz", dir + "/max_freq");
    if (dev.size() > 1) out.push_back(dev);
  }
  return out;
}

nlohmann::json read_thermal(const std::string& root) {
  nlohmann::json zones = nlohmann::json::array();
  const std::string base = root + "/class/thermal";
  for (const auto& [n, name] : numbered_entries(base, std::regex("thermal_zone([0-9]+)"))) {
    const std::string dir = base + "/" + name;
    auto temp = sysfs::try_read_number(dir + "/temp");
    if (!temp) continue;  // a zone whose sensor is off reads as an error
    nlohmann::json zone = {{"zone", n}, {"temp_c", *temp / 1000.0}};
    if (auto t = sysfs::try_read_text(dir + "/type")) zone["type"] = *t;
    zones.push_back(zone);
  }
  return zones;
}

}  // namespace

nlohmann::json read_environment(const std::string& sysfs_root) {
  nlohmann::json env = nlohmann::json::object();
  if (const unsigned n = std::thread::hardware_concurrency(); n > 0) {
    env["hardware_concurrency"] = n;
  }
  nlohmann::json notes = nlohmann::json::array();

  if (auto model = sysfs::try_read_text(sysfs_root + "/firmware/devicetree/base/model")) {
    env["board"] = *model;
  }
  std::set<std::string> governors;
  if (auto cpus = read_cpus(sysfs_root, governors); !cpus.empty()) env["cpus"] = cpus;
  if (!governors.empty()) env["governors"] = governors;
  if (auto dev = read_devfreq(sysfs_root); !dev.empty()) env["devfreq"] = dev;
  if (auto zones = read_thermal(sysfs_root); !zones.empty()) env["thermal_zones"] = zones;

  const std::string throttled_file = sysfs_root + "/devices/platform/soc/soc:firmware/get_throttled";
  if (auto bits = sysfs::try_read_text(throttled_file)) {
    env["throttled"] = *bits;
  } else if (env.contains("board") &&
             env["board"].get<std::string>().find("Raspberry Pi") != std::string::npos) {
    notes.push_back(
        "throttle flags not read: this kernel exposes no get_throttled in sysfs; "
        "`vcgencmd get_throttled` has them");
  }
  if (!notes.empty()) env["notes"] = notes;
  return env;
}

}  // namespace nas

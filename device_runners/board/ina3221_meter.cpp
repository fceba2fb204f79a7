#include "device_runners/board/ina3221_meter.h"

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <regex>

#include "core/errors.h"
#include "device_runners/board/sysfs_file.h"

namespace nas {
namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (const dirent* entry = ::readdir(d)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A channel worth reading: named, not "NC", not the summation channel.
bool connected(const std::optional<std::string>& label) {
  if (!label || label->empty()) return false;
  const std::string l = lower(*label);
  return l != "nc" && l.find("sum") == std::string::npos;
}

bool is_input_rail(const std::string& name) {
  const std::string l = lower(name);
  return l.size() >= 3 && l.compare(l.size() - 3, 3, "_in") == 0;
}

std::vector<Ina3221Meter::Rail> rails_of(const std::string& dir) {
  std::vector<Ina3221Meter::Rail> rails;
  static const std::regex kIioPower("in_power([0-9]+)_input");
  static const std::regex kHwmonVoltage("in([0-9]+)_input");
  for (const auto& file : list_dir(dir)) {
    std::smatch m;
    if (std::regex_match(file, m, kIioPower)) {
      const std::string n = m[1];
      auto label = sysfs::try_read_text(dir + "/rail_name_" + n);
      if (!connected(label)) continue;
      rails.push_back({*label, dir + "/" + file, "", ""});
    } else if (std::regex_match(file, m, kHwmonVoltage)) {
      const std::string n = m[1];
      const std::string current = dir + "/curr" + n + "_input";
      auto label = sysfs::try_read_text(dir + "/in" + n + "_label");
      if (!connected(label) || !sysfs::exists(current)) continue;
      rails.push_back({*label, "", dir + "/" + file, current});
    }
  }
  return rails;
}

double rail_watts(const Ina3221Meter::Rail& rail) {
  if (!rail.power_file.empty()) return sysfs::read_number(rail.power_file) * 1e-3;  // mW
  return sysfs::read_number(rail.voltage_file) * 1e-3 * sysfs::read_number(rail.current_file) *
         1e-3;  // mV x mA
}

}  // namespace

Ina3221Meter::Ina3221Meter(const std::vector<std::string>& device_dirs) {
  if (device_dirs.empty()) throw Error("ina3221: no device folder given");
  for (const auto& dir : device_dirs) {
    if (!sysfs::exists(dir)) throw Error("ina3221: no such folder " + dir);
    auto rails = rails_of(dir);
    if (rails.empty()) {
      throw Error("ina3221: no connected channel in " + dir +
                  " (expected in_power<N>_input with rail_name_<N>, or in<N>_input, "
                  "curr<N>_input and in<N>_label)");
    }
    all_.insert(all_.end(), rails.begin(), rails.end());
  }
  for (const auto& r : all_) {
    if (is_input_rail(r.name)) used_.push_back(r);
  }
  if (used_.empty()) used_ = all_;
  for (const auto& r : used_) rail_watts(r);  // fails now, naming the file, if unreadable
}

std::vector<std::string> Ina3221Meter::find_devices(const std::string& sysfs_root) {
  std::vector<std::string> found;
  const std::string drivers = sysfs_root + "/bus/i2c/drivers/ina3221x";
  for (const auto& bus : list_dir(drivers)) {
    for (const auto& entry : list_dir(drivers + "/" + bus)) {
      if (entry.rfind("iio:device", 0) == 0) found.push_back(drivers + "/" + bus + "/" + entry);
    }
  }
  const std::string hwmon = sysfs_root + "/class/hwmon";
  for (const auto& entry : list_dir(hwmon)) {
    auto name = sysfs::try_read_text(hwmon + "/" + entry + "/name");
    if (name && *name == "ina3221") found.push_back(hwmon + "/" + entry);
  }
  if (found.empty()) {
    throw Error("ina3221: no INA3221 found under " + drivers + "/*/iio:device* or " + hwmon +
                "/hwmon*/ (name ina3221); give the folder as ina3221:DIR");
  }
  return found;
}

std::optional<double> Ina3221Meter::read_watts() {
  double watts = 0;
  for (const auto& r : used_) watts += rail_watts(r);
  return watts;
}

}  // namespace nas

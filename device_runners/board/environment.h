// What a runner can read about the board's state when it measures: CPU
// frequency governors and clocks, devfreq clocks (GPUs, accelerators),
// thermal zones, throttle counters, the board's model. Recorded with each
// measurement so that a slow result can be traced to a hot or throttled
// board.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nas {

// Reads the environment from sysfs under `sysfs_root`. Anything that is
// missing or unreadable is simply absent from the result; this never throws
// for a file. Keys (each only when something was read):
//   "hardware_concurrency": std::thread::hardware_concurrency()
//   "board":     devicetree model, e.g. "Raspberry Pi 4 Model B Rev 1.4"
//   "cpus":      [{"cpu": 0, "governor", "cur_khz", "min_khz", "max_khz",
//                  "hw_max_khz", "core_throttle_count", "package_throttle_count"}]
//   "governors": the distinct governors in use, e.g. ["performance"]
//   "devfreq":   [{"device", "governor", "cur_hz", "min_hz", "max_hz"}]
//   "thermal_zones": [{"zone": 0, "type": "cpu-thermal", "temp_c": 48.3}]
//   "throttled": the Raspberry Pi firmware's get_throttled bits, where the
//                kernel exposes them in sysfs (otherwise only `vcgencmd
//                get_throttled` has them, which is not read; "notes" says so)
//   "notes":     what could not be read and why it matters
nlohmann::json read_environment(const std::string& sysfs_root = "/sys");

}  // namespace nas

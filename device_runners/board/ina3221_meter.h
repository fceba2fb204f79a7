// The INA3221 power monitors of NVIDIA Jetson boards, read through sysfs.
//
// Two layouts are known:
//  - JetPack 4 (L4T 32, iio): .../ina3221x/<bus>/iio:deviceN/ with
//    in_power<N>_input in mW and the rail's name in rail_name_<N>;
//  - JetPack 5/6 (L4T 35/36, hwmon): /sys/class/hwmon/hwmonN/ with name
//    "ina3221", in<N>_input in mV, curr<N>_input in mA, in<N>_label.
// Channels without a name, named "NC", or the summation channel ("Sum of
// ...") are skipped. The board's power is the input rail's (a rail whose name
// ends in "_IN", e.g. POM_5V_IN, VDD_IN), since the other rails are parts of
// it; without an input rail, the sum of the rails read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "device_runners/board/power_meter.h"

namespace nas {

class Ina3221Meter : public PowerMeter {
 public:
  struct Rail {
    std::string name;
    std::string power_file;    // iio: in_power<N>_input (mW); empty for hwmon
    std::string voltage_file;  // hwmon: in<N>_input (mV)
    std::string current_file;  // hwmon: curr<N>_input (mA)
  };

  // Reads the rails of the given device folders (each an iio device or a
  // hwmon folder). Throws nas::Error naming the folder when it holds no
  // connected INA3221 channel, or a rail's files cannot be read.
  explicit Ina3221Meter(const std::vector<std::string>& device_dirs);

  // The device folders under `sysfs_root`: iio devices of the ina3221x
  // driver and hwmon folders named ina3221. Throws nas::Error when none.
  static std::vector<std::string> find_devices(const std::string& sysfs_root = "/sys");

  std::string name() const override { return "ina3221"; }

  // Board power now: the input rail(s), or the sum of all rails read.
  // Throws nas::Error naming the file that cannot be read.
  std::optional<double> read_watts() override;

  // The rails that make up the board power, and all rails found.
  const std::vector<Rail>& rails() const { return used_; }
  const std::vector<Rail>& all_rails() const { return all_; }

 private:
  std::vector<Rail> all_;
  std::vector<Rail> used_;
};

}  // namespace nas

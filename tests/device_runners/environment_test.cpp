#include "device_runners/board/environment.h"

#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "tests/device_runners/test_tree.h"

namespace nas {
namespace {

using test::TestTree;

TEST_CASE("environment: governors, clocks, throttle counts, thermal zones, board") {
  TestTree t;
  t.write("devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
  t.write("devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "1800000\n");
  t.write("devices/system/cpu/cpu0/cpufreq/scaling_min_freq", "600000\n");
  t.write("devices/system/cpu/cpu0/cpufreq/scaling_max_freq", "1800000\n");
  t.write("devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "2000000\n");
  t.write("devices/system/cpu/cpu0/thermal_throttle/core_throttle_count", "3\n");
  t.write("devices/system/cpu/cpu0/thermal_throttle/package_throttle_count", "7\n");
  t.write("devices/system/cpu/cpu10/cpufreq/scaling_governor", "schedutil\n");
  t.mkdir("devices/system/cpu/cpu2");  // offline: nothing to say
  t.write("devices/system/cpu/cpufreq/policy0/scaling_governor", "performance\n");
  t.write("class/thermal/thermal_zone0/type", "cpu-thermal\n");
  t.write("class/thermal/thermal_zone0/temp", "48312\n");
  t.write("class/thermal/thermal_zone1/type", "gpu-thermal\n");  // sensor off: no temp
  t.write("class/thermal/thermal_zone2/temp", "-5000\n");
  t.write("class/devfreq/17000000.gv11b/cur_freq", "918000000\n");
  t.write("class/devfreq/17000000.gv11b/governor", "nvhost_podgov\n");
  t.write("firmware/devicetree/base/model", std::string("NVIDIA Jetson Nano Developer Kit\0", 33));

  const auto env = read_environment(t.root());
  CHECK(env["hardware_concurrency"] == std::thread::hardware_concurrency());
  CHECK(env["board"] == "NVIDIA Jetson Nano Developer Kit");
  REQUIRE(env["cpus"].size() == 2);
  const auto& cpu0 = env["cpus"][0];
  CHECK(cpu0["cpu"] == 0);
  CHECK(cpu0["governor"] == "performance");
  CHECK(cpu0["cur_khz"] == 1800000);
  CHECK(cpu0["min_khz"] == 600000);
  CHECK(cpu0["hw_max_khz"] == 2000000);
  CHECK(cpu0["core_throttle_count"] == 3);
  CHECK(cpu0["package_throttle_count"] == 7);
  CHECK(env["cpus"][1]["cpu"] == 10);
  CHECK_FALSE(env["cpus"][1].contains("cur_khz"));
  CHECK(env["governors"] == nlohmann::json({"performance", "schedutil"}));
  REQUIRE(env["thermal_zones"].size() == 2);
  CHECK(env["thermal_zones"][0]["type"] == "cpu-thermal");
  CHECK(env["thermal_zones"][0]["temp_c"] == doctest::Approx(48.312));
  CHECK(env["thermal_zones"][1]["zone"] == 2);
  CHECK(env["thermal_zones"][1]["temp_c"] == doctest::Approx(-5.0));
  CHECK_FALSE(env["thermal_zones"][1].contains("type"));
  CHECK(env["devfreq"][0]["device"] == "17000000.gv11b");
  CHECK(env["devfreq"][0]["cur_hz"] == 918000000);
  CHECK_FALSE(env.contains("notes"));
  CHECK_FALSE(env.contains("throttled"));
}

TEST_CASE("environment: Raspberry Pi throttle flags where sysfs has them, a note where not") {
  TestTree t;
  t.write("firmware/devicetree/base/model", "Raspberry Pi 4 Model B Rev 1.4");
  auto env = read_environment(t.root());
  REQUIRE(env.contains("notes"));
  CHECK(env["notes"][0].get<std::string>().find("vcgencmd get_throttled") != std::string::npos);
  t.write("devices/platform/soc/soc:firmware/get_throttled", "50000\n");
  env = read_environment(t.root());
  CHECK(env["throttled"] == "50000");
  CHECK_FALSE(env.contains("notes"));
}

TEST_CASE("environment: a missing tree is no error") {
  TestTree t;
  const auto env = read_environment(t.path("no/such/sysfs"));
  CHECK(env.size() == 1);
  CHECK(env.contains("hardware_concurrency"));
  // The real /sys of this machine reads without throwing.
  CHECK_NOTHROW(read_environment());
}

}  // namespace
}  // namespace nas

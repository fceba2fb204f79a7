#include "device_runners/board/ina3221_meter.h"

#include <doctest/doctest.h>

#include "core/errors.h"
#include "tests/device_runners/test_tree.h"

namespace nas {
namespace {

using test::TestTree;

// JetPack 4 (Jetson Nano): iio files, power in mW, named rails.
void jetpack4_nano(const TestTree& t, const std::string& dev) {
  t.write(dev + "/rail_name_0", "POM_5V_IN\n");
  t.write(dev + "/in_power0_input", "4210\n");
  t.write(dev + "/in_current0_input", "842\n");
  t.write(dev + "/in_voltage0_input", "5000\n");
  t.write(dev + "/rail_name_1", "POM_5V_GPU\n");
  t.write(dev + "/in_power1_input", "1130\n");
  t.write(dev + "/rail_name_2", "POM_5V_CPU\n");
  t.write(dev + "/in_power2_input", "1520\n");
}

// JetPack 5/6 (Orin): hwmon files, mV x mA, with the summation channel.
void jetpack5_orin(const TestTree& t, const std::string& dev) {
  t.write(dev + "/name", "ina3221\n");
  t.write(dev + "/in1_label", "VDD_IN\n");
  t.write(dev + "/in1_input", "5048\n");
  t.write(dev + "/curr1_input", "1200\n");
  t.write(dev + "/in2_label", "VDD_CPU_GPU_CV\n");
  t.write(dev + "/in2_input", "5040\n");
  t.write(dev + "/curr2_input", "400\n");
  t.write(dev + "/in3_label", "VDD_SOC\n");
  t.write(dev + "/in3_input", "5040\n");
  t.write(dev + "/curr3_input", "300\n");
  t.write(dev + "/in4_label", "Sum of shunt voltages\n");
  t.write(dev + "/in4_input", "15000\n");
  t.write(dev + "/curr4_input", "1900\n");
  t.write(dev + "/in7_input", "0\n");  // unconnected: no label
  t.write(dev + "/curr7_input", "0\n");
}

TEST_CASE("ina3221: JetPack 4 iio files, the input rail is the board's power") {
  TestTree t;
  jetpack4_nano(t, "iio:device0");
  Ina3221Meter meter({t.path("iio:device0")});
  CHECK(meter.all_rails().size() == 3);
  REQUIRE(meter.rails().size() == 1);
  CHECK(meter.rails()[0].name == "POM_5V_IN");
  CHECK(*meter.read_watts() == doctest::Approx(4.21));
  t.write("iio:device0/in_power0_input", "5000\n");
  CHECK(*meter.read_watts() == doctest::Approx(5.0));
}

TEST_CASE("ina3221: without an input rail, the rails read are summed; NC is skipped") {
  TestTree t;
  t.write("d/rail_name_0", "VDD_SYS_GPU\n");
  t.write("d/in_power0_input", "1000\n");
  t.write("d/rail_name_1", "VDD_SYS_SOC\n");
  t.write("d/in_power1_input", "2500\n");
  t.write("d/rail_name_2", "NC\n");
  t.write("d/in_power2_input", "999\n");
  t.write("d/in_power3_input", "777\n");  // no rail name: not connected
  Ina3221Meter meter({t.path("d")});
  CHECK(meter.rails().size() == 2);
  CHECK(*meter.read_watts() == doctest::Approx(3.5));
}

TEST_CASE("ina3221: JetPack 5/6 hwmon files, mV x mA, sum channel skipped") {
  TestTree t;
  jetpack5_orin(t, "hwmon3");
  Ina3221Meter meter({t.path("hwmon3")});
  CHECK(meter.all_rails().size() == 3);
  REQUIRE(meter.rails().size() == 1);
  CHECK(meter.rails()[0].name == "VDD_IN");
  CHECK(*meter.read_watts() == doctest::Approx(5.048 * 1.2));

  // Without VDD_IN: the sum of the named channels.
  TestTree u;
  jetpack5_orin(u, "hwmon1");
  u.write("hwmon1/in1_label", "VDD_GPU\n");
  Ina3221Meter sum({u.path("hwmon1")});
  CHECK(*sum.read_watts() == doctest::Approx(5.048 * 1.2 + 5.04 * 0.4 + 5.04 * 0.3));
}

TEST_CASE("ina3221: devices are found under a sysfs root, both layouts") {
  TestTree t;
  jetpack4_nano(t, "bus/i2c/drivers/ina3221x/6-0040/iio:device0");
  jetpack5_orin(t, "class/hwmon/hwmon2");
  t.write("class/hwmon/hwmon0/name", "cpu_thermal\n");
  auto found = Ina3221Meter::find_devices(t.root());
  REQUIRE(found.size() == 2);
  CHECK(found[0] == t.path("bus/i2c/drivers/ina3221x/6-0040/iio:device0"));
  CHECK(found[1] == t.path("class/hwmon/hwmon2"));
  Ina3221Meter meter(found);
  // Two input rails (one per device): both count.
  CHECK(*meter.read_watts() == doctest::Approx(4.21 + 5.048 * 1.2));

  TestTree empty;
  CHECK_THROWS_WITH_AS(Ina3221Meter::find_devices(empty.root()),
                       doctest::Contains("no INA3221 found"), Error);
}

TEST_CASE("ina3221: malformed and missing files are errors naming the file") {
  TestTree t;
  CHECK_THROWS_WITH_AS(Ina3221Meter({t.path("absent")}), doctest::Contains("absent"), Error);
  t.mkdir("empty");
  CHECK_THROWS_WITH_AS(Ina3221Meter({t.path("empty")}),
                       doctest::Contains(("no connected channel in " + t.path("empty")).c_str()), Error);
  jetpack4_nano(t, "d");
  t.write("d/in_power0_input", "n/a\n");
  CHECK_THROWS_WITH_AS(Ina3221Meter({t.path("d")}),
                       doctest::Contains((t.path("d/in_power0_input") + ": expected a number").c_str()),
                       Error);
  t.write("d/in_power0_input", "100\n");
  Ina3221Meter meter({t.path("d")});
  std::filesystem::remove(t.path("d/in_power0_input"));
  CHECK_THROWS_WITH_AS(meter.read_watts(), doctest::Contains(("cannot read " + t.path("d/in_power0_input")).c_str()),
                       Error);
}

}  // namespace
}  // namespace nas

#include "device_runners/board/rapl_meter.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/errors.h"
#include "device_runners/board/power_meter.h"
#include "tests/device_runners/test_tree.h"

namespace nas {
namespace {

using test::TestTree;

void package(const TestTree& t, const std::string& dir, std::uint64_t energy, std::uint64_t max,
             const std::string& name = "package-0") {
  t.write(dir + "/name", name + "\n");
  t.write(dir + "/energy_uj", std::to_string(energy) + "\n");
  t.write(dir + "/max_energy_range_uj", std::to_string(max) + "\n");
}

TEST_CASE("rapl: the first read primes, later reads give mean power, across a wrap") {
  TestTree t;
  package(t, "intel-rapl:0", 9'000'000, 10'000'000);
  RaplMeter meter(t.root());
  CHECK(meter.name() == "rapl");
  REQUIRE(meter.domains().size() == 1);
  // Before the priming read, so that the meter's interval lies within `elapsed`.
  const auto before = std::chrono::steady_clock::now();
  CHECK_FALSE(meter.read_watts().has_value());

  // 3 J later the counter has wrapped at 10 J: 9 J -> 2 J.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  t.write("intel-rapl:0/energy_uj", "2000000\n");
  auto watts = meter.read_watts();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count();
  REQUIRE(watts.has_value());
  // 3 J over the time between the two reads (>= 0.2 s, <= elapsed).
  CHECK(*watts <= 3.0 / 0.2 + 1e-9);
  CHECK(*watts >= 3.0 / elapsed - 1e-9);
}

TEST_CASE("rapl: a powercap root sums the packages and leaves psys out") {
  TestTree t;
  package(t, "intel-rapl:0", 100, 1000000);
  package(t, "intel-rapl:1", 100, 1000000);
  package(t, "intel-rapl:2", 100, 1000000, "psys");
  t.write("intel-rapl:0:0/energy_uj", "5\n");  // a subdomain: not top level
  RaplMeter meter(t.root());
  REQUIRE(meter.domains().size() == 2);
  CHECK(meter.domains()[0] == t.path("intel-rapl:0"));
  CHECK(meter.domains()[1] == t.path("intel-rapl:1"));
  // A domain folder given directly.
  RaplMeter one(t.path("intel-rapl:2"));
  CHECK(one.domains().size() == 1);
}

TEST_CASE("rapl: missing and malformed files are errors naming the file") {
  TestTree t;
  CHECK_THROWS_WITH_AS(RaplMeter(t.root()), doctest::Contains("no RAPL domain"), Error);
  CHECK_THROWS_WITH_AS(RaplMeter(t.path("nowhere")), doctest::Contains("nowhere"), Error);

  t.write("intel-rapl:0/energy_uj", "12\n");
  CHECK_THROWS_WITH_AS(RaplMeter(t.path("intel-rapl:0")),
                       doctest::Contains("intel-rapl:0/max_energy_range_uj"), Error);
  t.write("intel-rapl:0/max_energy_range_uj", "lots\n");
  CHECK_THROWS_WITH_AS(RaplMeter(t.path("intel-rapl:0")),
                       doctest::Contains("max_energy_range_uj: expected an unsigned integer"),
                       Error);
  t.write("intel-rapl:0/max_energy_range_uj", "1000\n");
  RaplMeter meter(t.path("intel-rapl:0"));
  meter.read_watts();
  t.write("intel-rapl:0/energy_uj", "garbage\n");
  CHECK_THROWS_WITH_AS(meter.read_watts(), doctest::Contains("intel-rapl:0/energy_uj"), Error);
  t.write("intel-rapl:0/energy_uj", "5000\n");
  CHECK_THROWS_WITH_AS(meter.read_watts(), doctest::Contains("exceeds max_energy_range_uj"), Error);
}

TEST_CASE("make_power_meter builds the meters from --meter and refuses bad specs") {
  TestTree t;
  package(t, "intel-rapl:0", 100, 1000000);
  CHECK(make_power_meter("none") == nullptr);
  auto rapl = make_power_meter("rapl:" + t.root());
  REQUIRE(rapl);
  CHECK(rapl->name() == "rapl");
  CHECK_THROWS_WITH_AS(make_power_meter("watt-o-meter"), doctest::Contains("unknown meter"),
                       UsageError);
  CHECK_THROWS_WITH_AS(make_power_meter("um25c"), doctest::Contains("serial device"), UsageError);
  CHECK_THROWS_WITH_AS(make_power_meter("rapl:"), doctest::Contains("empty path"), UsageError);
  CHECK_THROWS_WITH_AS(make_power_meter("rapl:" + t.path("missing")),
                       doctest::Contains("--meter rapl:"), Error);
  CHECK_THROWS_WITH_AS(make_power_meter("ina3221:" + t.path("missing")),
                       doctest::Contains("missing"), Error);
}

}  // namespace
}  // namespace nas

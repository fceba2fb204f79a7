// The serial meter against a pseudo-terminal: a thread on the master side
// answers as a UM25C would.
#include "device_runners/board/um25c_meter.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/errors.h"
#include "device_runners/board/power_meter.h"

namespace nas {
namespace {

std::array<std::uint8_t, kUmReplyBytes> reply(std::uint16_t model, std::uint16_t volts_raw,
                                              std::uint16_t amps_raw) {
  std::array<std::uint8_t, kUmReplyBytes> r{};
  const auto put = [&](std::size_t at, std::uint16_t v) {
    r[at] = static_cast<std::uint8_t>(v >> 8);
    r[at + 1] = static_cast<std::uint8_t>(v & 0xFF);
  };
  put(0, model);
  put(2, volts_raw);
  put(4, amps_raw);
  put(10, 31);  // temperature, as the meter sends it
  put(128, 0xFFF1);
  return r;
}

// The meter's side of the line.
class FakeMeter {
 public:
  enum class Mode { kAnswer, kSilent, kUnknownModel, kHalf };

  FakeMeter() {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master_ >= 0);
    REQUIRE(::grantpt(master_) == 0);
    REQUIRE(::unlockpt(master_) == 0);
    device_ = ::ptsname(master_);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeMeter() {
    stop_ = true;
    thread_.join();
    ::close(master_);
  }
  const std::string& device() const { return device_; }
  void set_mode(Mode m) { mode_ = m; }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0 || !(p.revents & POLLIN)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // no reader yet: POLLHUP
        continue;
      }
      std::uint8_t byte = 0;
      if (::read(master_, &byte, 1) != 1) continue;
      if (byte != kUmRequestByte) continue;
      ++requests_;
      std::array<std::uint8_t, kUmReplyBytes> r{};
      switch (mode_.load()) {
        case Mode::kSilent:
          continue;
        case Mode::kUnknownModel:
          r = reply(0x1234, 5000, 1000);
          break;
        default:
          r = reply(kUm25c.id, 5123, 12345);  // 5.123 V, 1.2345 A
      }
      const std::size_t n = mode_ == Mode::kHalf ? kUmReplyBytes / 2 : kUmReplyBytes;
      // Sent in two parts, as a slow link would deliver it.
      REQUIRE(::write(master_, r.data(), n / 2) == static_cast<ssize_t>(n / 2));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      REQUIRE(::write(master_, r.data() + n / 2, n - n / 2) == static_cast<ssize_t>(n - n / 2));
    }
  }

  int master_ = -1;
  std::string device_;
  std::atomic<Mode> mode_{Mode::kAnswer};
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

TEST_CASE("um25c: replies decode by model") {
  auto r = decode_um_reply(reply(kUm25c.id, 5123, 12345));
  CHECK(std::string(r.model->name) == "UM25C");
  CHECK(r.volts == doctest::Approx(5.123));
  CHECK(r.amps == doctest::Approx(1.2345));
  auto r24 = decode_um_reply(reply(kUm24c.id, 512, 1234));
  CHECK(std::string(r24.model->name) == "UM24C");
  CHECK(r24.volts == doctest::Approx(5.12));
  CHECK(r24.amps == doctest::Approx(1.234));
  auto r34 = decode_um_reply(reply(kUm34c.id, 2000, 3000));
  CHECK(r34.watts() == doctest::Approx(20.0 * 3.0));
  CHECK_THROWS_WITH_AS(decode_um_reply(reply(0xBEEF, 1, 1)),
                       doctest::Contains("unknown model id 0xBEEF"), Error);
}

TEST_CASE("um25c: reads a meter on a pseudo-terminal") {
  FakeMeter fake;
  Um25cMeter meter(fake.device(), 9600, std::chrono::milliseconds(300));
  CHECK(meter.name() == "um25c");
  for (int i = 0; i < 3; ++i) {
    auto w = meter.read_watts();
    REQUIRE(w.has_value());
    CHECK(*w == doctest::Approx(5.123 * 1.2345));
  }
  CHECK(fake.requests() == 3);
}

TEST_CASE("um25c: a meter that does not answer is a missed reading, not an error") {
  FakeMeter fake;
  Um25cMeter meter(fake.device(), 9600, std::chrono::milliseconds(200));
  fake.set_mode(FakeMeter::Mode::kSilent);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(meter.read_watts().has_value());
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(took >= 0.19);
  CHECK(took < 1.0);
  // Half a reply, then nothing: dropped; the next full reply is read whole.
  fake.set_mode(FakeMeter::Mode::kHalf);
  CHECK_FALSE(meter.read_watts().has_value());
  fake.set_mode(FakeMeter::Mode::kAnswer);
  auto w = meter.read_watts();
  REQUIRE(w.has_value());
  CHECK(*w == doctest::Approx(5.123 * 1.2345));
}

TEST_CASE("um25c: an unknown model and a missing device are errors") {
  FakeMeter fake;
  fake.set_mode(FakeMeter::Mode::kUnknownModel);
  Um25cMeter meter(fake.device(), 9600, std::chrono::milliseconds(300));
  CHECK_THROWS_WITH_AS(meter.read_watts(), doctest::Contains("unknown model id 0x1234"), Error);
  CHECK_THROWS_WITH_AS(Um25cMeter("/dev/no-such-meter"), doctest::Contains("/dev/no-such-meter"),
                       Error);
  CHECK_THROWS_WITH_AS(make_power_meter("um25c:/dev/no-such-meter"),
                       doctest::Contains("cannot open serial device /dev/no-such-meter"), Error);
}

TEST_CASE("um25c: measure_energy through make_power_meter on the pseudo-terminal") {
  FakeMeter fake;
  auto meter = make_power_meter("um25c:" + fake.device());
  REQUIRE(meter);
  EnergyOptions options;
  options.idle_seconds = 0.2;
  options.min_seconds = 0.3;
  auto e = measure_energy(
      *meter, [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); }, options,
      [] { return false; });
  REQUIRE(e.has_value());
  CHECK(e->meter == "um25c");
  CHECK(e->samples >= 20);
  CHECK(e->active_watts == doctest::Approx(5.123 * 1.2345));
  // Constant power: nothing above idle.
  CHECK(e->joules_per_inference == doctest::Approx(0).epsilon(1e-6));
}

}  // namespace
}  // namespace nas

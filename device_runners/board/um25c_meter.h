// RDTech UM24C / UM25C / UM34C USB power meters over a serial port (the
// Bluetooth SPP link bound to /dev/rfcommN, or a USB serial adapter), read
// with Boost.Asio.
//
// Protocol: the host sends the request byte 0xF0; the meter answers with a
// 130-byte record. Big-endian fields: bytes 0-1 the model id, 2-3 the
// voltage, 4-5 the current, in units that differ by model (UmModel below).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "device_runners/board/power_meter.h"

namespace nas {

// A model's id (bytes 0-1 of the reply) and the size of one unit of the
// voltage and current fields.
struct UmModel {
  std::uint16_t id;
  const char* name;
  double volts_per_unit;
  double amps_per_unit;
};

constexpr std::uint8_t kUmRequestByte = 0xF0;
constexpr std::size_t kUmReplyBytes = 130;
// UM24C: 10 mV, 1 mA.  UM25C: 1 mV, 0.1 mA.  UM34C: 10 mV, 1 mA.
constexpr UmModel kUm24c{0x0963, "UM24C", 0.01, 0.001};
constexpr UmModel kUm25c{0x09C9, "UM25C", 0.001, 0.0001};
constexpr UmModel kUm34c{0x0D4C, "UM34C", 0.01, 0.001};

struct UmReading {
  const UmModel* model = nullptr;
  double volts = 0;
  double amps = 0;
  double watts() const { return volts * amps; }
};

// Decodes one reply. Throws nas::Error for an unknown model id.
UmReading decode_um_reply(const std::array<std::uint8_t, kUmReplyBytes>& reply);

class Um25cMeter : public PowerMeter {
 public:
  // Opens `device` at `baud` (the meters talk at 9600 8N1). A reply that
  // does not come within `timeout` is a missed reading, not an error.
  // Throws nas::Error naming the device when it cannot be opened.
  explicit Um25cMeter(const std::string& device, unsigned baud = 9600,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  ~Um25cMeter() override;
  Um25cMeter(const Um25cMeter&) = delete;
  Um25cMeter& operator=(const Um25cMeter&) = delete;

  std::string name() const override { return "um25c"; }

  // Sends 0xF0 and reads the reply: volts x amps. nullopt when the meter did
  // not answer in time (a partial reply is dropped). Throws nas::Error for
  // an I/O failure or a reply from an unknown model.
  std::optional<double> read_watts() override;

  // The full last reading (model, volts, amps), for logs.
  std::optional<UmReading> read();

 private:
  struct Port;
  std::string device_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Port> port_;
};

}  // namespace nas

#include "device_runners/board/um25c_meter.h"

#include <termios.h>

#include <cstdio>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

#include "core/errors.h"

namespace nas {

struct Um25cMeter::Port {
  boost::asio::io_context io;
  boost::asio::serial_port serial{io};
};

UmReading decode_um_reply(const std::array<std::uint8_t, kUmReplyBytes>& reply) {
  const auto u16 = [&](std::size_t at) {
    return static_cast<std::uint16_t>((reply[at] << 8) | reply[at + 1]);
  };
  const std::uint16_t id = u16(0);
  UmReading r;
  for (const UmModel* m : {&kUm24c, &kUm25c, &kUm34c}) {
    if (m->id == id) r.model = m;
  }
  if (!r.model) {
    throw Error("um25c: reply from an unknown model id 0x" + [&] {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%04X", id);
      return std::string(hex);
    }() + " (known: UM24C 0x0963, UM25C 0x09C9, UM34C 0x0D4C)");
  }
  r.volts = u16(2) * r.model->volts_per_unit;
  r.amps = u16(4) * r.model->amps_per_unit;
  return r;
}

Um25cMeter::Um25cMeter(const std::string& device, unsigned baud, std::chrono::milliseconds timeout)
    : device_(device), timeout_(timeout), port_(std::make_unique<Port>()) {
  try {
    using boost::asio::serial_port_base;
    port_->serial.open(device);
    port_->serial.set_option(serial_port_base::baud_rate(baud));
    port_->serial.set_option(serial_port_base::character_size(8));
    port_->serial.set_option(serial_port_base::parity(serial_port_base::parity::none));
    port_->serial.set_option(serial_port_base::stop_bits(serial_port_base::stop_bits::one));
    port_->serial.set_option(serial_port_base::flow_control(serial_port_base::flow_control::none));
  } catch (const boost::system::system_error& e) {
    throw Error("um25c: cannot open serial device " + device + ": " + e.code().message());
  }
}

Um25cMeter::~Um25cMeter() = default;

std::optional<UmReading> Um25cMeter::read() {
  // Bytes of an earlier reply that came too late would shift this one.
  ::tcflush(port_->serial.native_handle(), TCIFLUSH);
  const std::uint8_t request = kUmRequestByte;
  std::array<std::uint8_t, kUmReplyBytes> reply{};
  boost::system::error_code write_error, read_error;
  bool read_done = false;
  try {
    boost::asio::write(port_->serial, boost::asio::buffer(&request, 1), write_error);
    if (write_error) {
      throw Error("um25c: cannot write to " + device_ + ": " + write_error.message());
    }
    port_->io.restart();
    boost::asio::async_read(port_->serial, boost::asio::buffer(reply),
                            [&](const boost::system::error_code& ec, std::size_t) {
                              read_error = ec;
                              read_done = true;
                            });
    port_->io.run_for(timeout_);
    if (!read_done) {
      port_->serial.cancel();
      port_->io.restart();
      port_->io.run();  // lets the cancelled read complete
      return std::nullopt;
    }
  } catch (const boost::system::system_error& e) {
    throw Error("um25c: " + device_ + ": " + e.code().message());
  }
  if (read_error) throw Error("um25c: cannot read from " + device_ + ": " + read_error.message());
  return decode_um_reply(reply);
}

std::optional<double> Um25cMeter::read_watts() {
  auto r = read();
  if (!r) return std::nullopt;
  return r->watts();
}

}  // namespace nas

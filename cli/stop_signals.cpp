#include "cli/stop_signals.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <thread>

namespace nas::cli {

struct StopOnSignals::Impl {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::thread thread;
};

StopOnSignals::StopOnSignals(std::atomic<bool>& stop) : impl_(std::make_unique<Impl>()) {
  impl_->signals.async_wait([&stop](const boost::system::error_code& error, int) {
    if (!error) stop = true;
  });
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

StopOnSignals::~StopOnSignals() {
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace nas::cli

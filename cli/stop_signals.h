// Turns SIGINT and SIGTERM into a stop flag, so daemons end cleanly.
#pragma once

#include <atomic>
#include <memory>

namespace nas::cli {

class StopOnSignals {
 public:
  // Until destroyed, SIGINT or SIGTERM sets `stop` to true.
  explicit StopOnSignals(std::atomic<bool>& stop);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nas::cli

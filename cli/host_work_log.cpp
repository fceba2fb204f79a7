#include "cli/host_work_log.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace nas::cli {

double unix_now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void log_host_work(const std::string& what, double start, double end) {
  spdlog::debug("host work: {} from {:.6f} to {:.6f}", what, start, end);
}

Evaluation HostWorkLog::evaluate(const Arch& arch, const std::string& metric) {
  const double start = unix_now_seconds();
  Evaluation e = inner_->evaluate(arch, metric);
  log_host_work(metric, start, unix_now_seconds());
  return e;
}

}  // namespace nas::cli

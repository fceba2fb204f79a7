// Where the workstation's own CPU was busy, as debug log lines with Unix
// times ("host work: val_acc from START to END", Unix seconds to the microsecond),
// so that a run's log shows that no latency measured on this CPU (the
// embedded local runner, whose results carry started_at and finished_at)
// overlapped training or scoring.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "estimators/evaluator.h"

namespace nas::cli {

// Unix seconds now.
double unix_now_seconds();

// Logs "host work: WHAT from START to END" at debug level.
void log_host_work(const std::string& what, double start, double end);

// An evaluator that computes on this machine, with each evaluation logged
// by log_host_work. Otherwise it is `inner`.
class HostWorkLog : public Evaluator {
 public:
  explicit HostWorkLog(std::unique_ptr<Evaluator> inner) : inner_(std::move(inner)) {}
  std::vector<std::string> metrics() const override { return inner_->metrics(); }
  EvaluationKey key(const std::string& metric) const override { return inner_->key(metric); }
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;

 private:
  std::unique_ptr<Evaluator> inner_;
};

}  // namespace nas::cli

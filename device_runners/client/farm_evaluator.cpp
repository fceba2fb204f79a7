#include "device_runners/client/farm_evaluator.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "core/errors.h"

namespace nas {
namespace {

// What the store keeps of an ok result: every statistic, not just the median.
std::shared_ptr<const MeasurementRecord> record_of(const JobResult& r, const std::string& device,
                                                   const MeasureProtocol& protocol) {
  if (r.status != wire::JobStatus::kOk || !r.latency) return nullptr;
  auto m = std::make_shared<MeasurementRecord>(
      MeasurementRecord::of(*r.latency, r.energy ? &*r.energy : nullptr, device, protocol));
  m->backend = r.environment.value("backend", std::string());
  m->runner = r.runner_id;
  const auto threads = r.environment.find("threads");
  if (threads != r.environment.end() && threads->is_number_integer()) m->threads = threads->get<int>();
  m->environment = r.environment;
  // Kept with the stored environment as before: the gross figure, meter and
  // sample count, and the runner's idle time before the job.
  if (r.energy) m->environment["energy"] = r.energy->to_json();
  if (r.runner_idle_ms) m->environment["runner_idle_ms"] = *r.runner_idle_ms;
  return m;
}

}  // namespace

FarmEvaluator::FarmEvaluator(const SearchSpace& space, FarmClientOptions client,
                             FarmEvaluatorOptions options)
    : space_(space), client_options_(std::move(client)), options_(std::move(options)) {
  if (options_.device.empty()) throw Error("farm evaluator: no device key");
}

bool FarmEvaluator::runners_need_onnx() {
  // With no runner of the device listed yet (a board still starting), the
  // file goes along, so that whichever kind joins can take the job.
  nlohmann::json listing;
  try {
    listing = client_->list();
  } catch (const Error& e) {
    if (client_options_.broker_failure && client_options_.broker_failure()) throw;  // no farm
    spdlog::debug("farm: no runner listing ({}); the job carries an ONNX file", e.what());
    return true;
  }
  bool listed = false;
  for (const auto& runner : listing.value("runners", nlohmann::json::array())) {
    if (runner.value("device", std::string()) != options_.device) continue;
    listed = true;
    const auto accepts = runner.value("capabilities", nlohmann::json::object())
                             .value("accepts", nlohmann::json::array());
    if (std::find(accepts.begin(), accepts.end(), "arch") == accepts.end()) return true;
  }
  return !listed;
}

std::vector<std::string> FarmEvaluator::metrics() const {
  return {options_.device + "_ms", options_.device + "_mj"};
}

EvaluationKey FarmEvaluator::key(const std::string& metric) const {
  const auto known = metrics();
  if (metric != known[0] && metric != known[1]) {
    throw Error("the farm measures \"" + known[0] + "\" and \"" + known[1] + "\", not \"" +
                metric + "\"");
  }
  EvaluationKey k;
  k.metric = metric;
  k.source = Source::kMeasured;
  k.device = options_.device;
  k.fidelity = options_.protocol.key();
  return k;
}

const JobResult& FarmEvaluator::result_for(const Arch& arch) {
  const std::string id = space_.id(arch);
  auto it = results_.find(id);
  if (it != results_.end()) return it->second;
  JobSpec job;
  // Unique across processes sharing a broker: pid and a counter.
  job.job_id = std::to_string(getpid()) + "-" + std::to_string(next_job_++) + "-" + id;
  job.space = options_.space_name;
  job.arch = space_.to_json(arch);
  job.space_options = options_.space_options;
  job.input_shape = options_.input_shape;
  job.protocol = options_.protocol;
  job.deadline_seconds = options_.deadline_seconds;
  if (!client_) client_ = std::make_unique<FarmClient>(client_options_);
  if (options_.export_onnx && runners_need_onnx()) {
    ExportedModel model = options_.export_onnx(arch);
    job.onnx = std::move(model.onnx);
    job.input_shape = std::move(model.input_shape);
  }
  std::vector<JobResult> results = client_->run({{options_.device, job}}, options_.wait_seconds);
  // Keep only the latest: the loop asks for both metrics of one arch in a row.
  results_.clear();
  const JobResult& r = results_.emplace(id, std::move(results.at(0))).first->second;
  // One record for both metrics, so that the journal stores the job once.
  record_ = record_of(r, options_.device, options_.protocol);
  return r;
}

Evaluation FarmEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  Evaluation e;
  e.key = key(metric);
  const JobResult& r = result_for(arch);
  if (r.status == wire::JobStatus::kUnanswered) {
    // Not an outcome of this architecture: storing it would poison the
    // cache. The run stops with the reason and --resume continues later.
    throw Error("farm: " + r.message);
  }
  if (r.status != wire::JobStatus::kOk) {
    e.note = std::string(wire::to_string(r.status)) + ": " + r.message;
    return e;
  }
  e.measurement = record_;
  if (metric == metrics()[0]) {
    e.value = r.latency->median_ms;
  } else if (r.energy) {
    e.value = r.energy->millijoules_per_inference();
  } else {
    e.note = "not measured: the runner has no power meter";
  }
  return e;
}

}  // namespace nas

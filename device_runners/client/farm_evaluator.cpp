#include "device_runners/client/farm_evaluator.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "core/errors.h"
#include "core/metric.h"

namespace nas {
namespace {

// What the store keeps of an ok result: every statistic, not just the median.
// The precisions a key's metrics may name beside fp32's unsuffixed ones.
constexpr Precision kOtherPrecisions[] = {Precision::kInt8, Precision::kFp16};

// A target whose first this many measurements fail, with none succeeding,
// is a runner that cannot measure: the run stops (Batch::stop_or_release_held).
constexpr std::int64_t kFailuresToStop = 3;

// What one job measures of an arch: a device key at a precision.
std::string job_target(const std::string& device, Precision precision) {
  return precision == Precision::kFp32 ? device : device + "_" + to_string(precision);
}

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

// A batch on the farm: its jobs, the thread that waits for them, and the
// answers that thread has received and collect() has not handed on yet.
class FarmEvaluator::Batch : public PendingBatch {
 public:
  Batch(FarmEvaluator& owner, std::vector<EvaluationRequest> requests)
      : owner_(owner), progress_(owner.measured_) {
    requests_ = std::move(requests);
    // By (arch id, job_target): one job per arch, key and precision.
    std::map<std::pair<std::string, std::string>, std::size_t> job_of;
    std::map<std::string, Intake> intakes;  // by key
    std::map<std::pair<std::string, std::string>, Measured> earlier;
    earlier.swap(owner_.latest_);
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      const std::string& device = owner_.device_of(requests_[i].metric);
      const Precision precision = precision_of(requests_[i].metric);
      const std::string target = job_target(device, precision);
      const std::string id = owner_.space_.id(requests_[i].arch);
      const auto known = earlier.find({id, target});
      if (known != earlier.end()) {
        // The other metric of a job already done: no second job.
        ready_.push_back({i, owner_.value_of(known->second, requests_[i].metric)});
        owner_.latest_.insert(*known);
        ++answered_;
        continue;
      }
      auto [it, fresh] = job_of.emplace(std::make_pair(id, target), jobs_.size());
      if (fresh) {
        auto intake = intakes.find(device);
        if (intake == intakes.end()) intake = intakes.emplace(device, owner_.runner_intake(device)).first;
        jobs_.push_back({device, owner_.job_for(requests_[i].arch, id, intake->second, precision)});
        job_requests_.emplace_back();
        job_keys_.emplace_back(id, target);
      }
      job_requests_[it->second].push_back(i);
    }
    FarmClient* client = jobs_.empty() ? nullptr : &owner_.client();
    owner_.batch_open_ = true;  // from here on, the destructor closes it
    if (client) waiting_ = std::thread([this, client] { wait_for_results(*client); });
  }

  ~Batch() override {
    stop_ = true;
    if (waiting_.joinable()) waiting_.join();
    owner_.measured_ = progress_;
    owner_.batch_open_ = false;
  }

  std::vector<Answer> collect(std::chrono::milliseconds wait) override {
    std::vector<Answer> out;
    out.swap(ready_);
    std::vector<std::pair<std::size_t, JobResult>> arrived;
    bool all_arrived = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (out.empty()) {
        arrived_cv_.wait_for(lock, wait, [&] { return !arrived_.empty() || finished_; });
      }
      arrived.swap(arrived_);
      if (arrived.empty() && failure_) std::rethrow_exception(failure_);
      all_arrived = finished_ && !failure_;
    }
    for (auto& [job, result] : arrived) {
      if (result.status == wire::JobStatus::kUnanswered) {
        // Not an outcome of this architecture: storing it would poison the
        // cache. The run stops with the reason and --resume continues later.
        throw Error("farm: " + result.message);
      }
      const std::string& target = job_keys_[job].second;
      if (result.status != wire::JobStatus::kOk && !owner_.measured_targets_.count(target)) {
        held_.emplace_back(job, std::move(result));
        continue;
      }
      if (result.status == wire::JobStatus::kOk) {
        owner_.measured_targets_.insert(target);
        release_held(target, out);
      }
      hand_on(job, std::move(result), out);
    }
    if (all_arrived && !held_.empty()) stop_or_release_held(out);
    return out;
  }

  bool done() const override { return answered_ == requests_.size(); }

 private:
  void hand_on(std::size_t job, JobResult result, std::vector<Answer>& out) {
    Measured m;
    m.record = record_of(result, jobs_[job].device, owner_.options_.protocol);
    m.result = std::move(result);
    for (std::size_t i : job_requests_[job]) {
      out.push_back({i, owner_.value_of(m, requests_[i].metric)});
      ++answered_;
    }
    owner_.latest_.emplace(job_keys_[job], std::move(m));
  }

  // The held failures of `target` (all of them when empty) handed on.
  void release_held(const std::string& target, std::vector<Answer>& out) {
    auto keep = held_.begin();
    for (auto& held : held_) {
      if (target.empty() || job_keys_[held.first].second == target) {
        if (target.empty()) ++owner_.failures_before_measuring_[job_keys_[held.first].second];
        hand_on(held.first, std::move(held.second), out);
      } else {
        *keep++ = std::move(held);
      }
    }
    held_.erase(keep, held_.end());
  }

  // Every job answered, and some target has failed every time so far: a
  // runner that cannot measure at all (a wrong path in its pipeline, a
  // missing tool, a precision it refuses) rather than archs it cannot run.
  // From kFailuresToStop such failures on, the run stops with the first
  // reason, storing none of this batch's (they would be cache hits after
  // the runner is mended); fewer are handed on as the archs' outcomes.
  void stop_or_release_held(std::vector<Answer>& out) {
    std::map<std::string, std::int64_t> failures;
    for (const auto& held : held_) ++failures[job_keys_[held.first].second];
    for (const auto& [target, count] : failures) {
      const std::int64_t total = count + owner_.failures_before_measuring_[target];
      if (total < kFailuresToStop) continue;
      const auto first = std::find_if(held_.begin(), held_.end(), [&](const auto& held) {
        return job_keys_[held.first].second == target;
      });
      const JobResult& r = first->second;
      const FarmJob& job = jobs_[first->first];
      throw Error("farm: " + std::to_string(total) + " measurements on '" + job.device + "' at " +
                  to_string(job.spec.precision) +
                  " failed and none has succeeded, so this batch's are not stored and the run "
                  "stops; mend the runner and continue with --resume. The first: " +
                  wire::to_string(r.status) + ": " + r.message);
    }
    release_held("", out);
  }

  // On the waiting thread: runs the jobs, hands each result over, and logs
  // progress per device key.
  void wait_for_results(FarmClient& client) {
    std::map<std::string, std::int64_t> open;  // jobs not answered yet, by key
    for (const FarmJob& j : jobs_) ++open[j.device];
    RunHooks hooks;
    hooks.stop = [this] { return stop_.load(); };
    hooks.on_result = [&](std::size_t job, JobResult result) {
      const std::string& device = jobs_[job].device;
      --open[device];
      if (result.status == wire::JobStatus::kOk) ++progress_[device];
      std::lock_guard<std::mutex> lock(mutex_);
      arrived_.emplace_back(job, std::move(result));
      arrived_cv_.notify_one();
    };
    hooks.listing_seconds = owner_.options_.progress_seconds;
    hooks.on_listing = [&](const nlohmann::json& listing) { log_progress(listing, open); };
    try {
      client.run(jobs_, owner_.options_.wait_seconds, hooks);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    arrived_cv_.notify_one();
  }

  void log_progress(const nlohmann::json& listing,
                    const std::map<std::string, std::int64_t>& open) {
    for (const auto& [device, jobs] : open) {
      int busy = 0, idle = 0;
      for (const auto& runner : listing.value("runners", nlohmann::json::array())) {
        if (runner.value("device", std::string()) != device) continue;
        (runner.value("state", std::string()) == "busy" ? busy : idle) += 1;
      }
      if (busy + idle == 0 && jobs > 0) {
        spdlog::info("farm: {}: waiting for a runner with device key '{}' ({} jobs waiting; "
                     "wait_seconds {:g} bounds the wait)",
                     device, device, jobs, owner_.options_.wait_seconds);
        continue;
      }
      spdlog::info("farm: {}: {} jobs in flight, boards {} busy {} idle, {} measured", device,
                   jobs, busy, idle, progress_[device]);
    }
  }

  FarmEvaluator& owner_;
  std::vector<EvaluationRequest> requests_;
  std::vector<FarmJob> jobs_;
  std::vector<std::vector<std::size_t>> job_requests_;  // requests each job answers
  std::vector<std::pair<std::string, std::string>> job_keys_;  // (arch id, target) of each job
  std::vector<Answer> ready_;  // answered without a job
  // Failed results of targets with no measurement yet, kept back until one
  // succeeds or every job has answered.
  std::vector<std::pair<std::size_t, JobResult>> held_;
  std::size_t answered_ = 0;   // requests handed on (or ready_)
  // Measurements done per key; written by the waiting thread while it runs.
  std::map<std::string, std::int64_t> progress_;

  std::thread waiting_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable arrived_cv_;
  std::vector<std::pair<std::size_t, JobResult>> arrived_;  // guarded by mutex_
  bool finished_ = false;                                   // guarded by mutex_
  std::exception_ptr failure_;                              // guarded by mutex_
};

FarmEvaluator::FarmEvaluator(const SearchSpace& space, FarmClientOptions client,
                             FarmEvaluatorOptions options)
    : space_(space), client_options_(std::move(client)), options_(std::move(options)) {
  if (options_.devices.empty()) throw Error("farm evaluator: no device key");
  for (const std::string& d : options_.devices) {
    if (d.empty()) throw Error("farm evaluator: an empty device key");
  }
}

FarmClient& FarmEvaluator::client() {
  if (!client_) client_ = std::make_unique<FarmClient>(client_options_);
  return *client_;
}

FarmEvaluator::Intake FarmEvaluator::runner_intake(const std::string& device) {
  Intake intake;
  if (!options_.export_onnx) {
    intake.onnx = false;
    return intake;
  }
  // With no runner of the device listed yet (a board still starting), the
  // file goes along, so that whichever kind joins can take the job.
  nlohmann::json listing;
  try {
    listing = client().list();
  } catch (const Error& e) {
    if (client_options_.broker_failure && client_options_.broker_failure()) throw;  // no farm
    spdlog::debug("farm: no runner listing ({}); the job carries an ONNX file", e.what());
    return intake;
  }
  bool listed = false, all_build_archs = true;
  for (const auto& runner : listing.value("runners", nlohmann::json::array())) {
    if (runner.value("device", std::string()) != device) continue;
    listed = true;
    const auto caps = runner.value("capabilities", nlohmann::json::object());
    const auto accepts = caps.value("accepts", nlohmann::json::array());
    if (std::find(accepts.begin(), accepts.end(), "arch") == accepts.end()) all_build_archs = false;
    if (caps.value("int8_input", std::string()) == "fp32") intake.quantizes_on_board = true;
  }
  intake.onnx = !listed || !all_build_archs;
  return intake;
}

std::map<std::string, std::size_t> FarmEvaluator::runners_per_device() {
  std::map<std::string, std::size_t> out;
  for (const std::string& d : options_.devices) out[d] = 0;
  nlohmann::json listing;
  try {
    listing = client().list();
  } catch (const Error& e) {
    spdlog::debug("farm: no runner listing ({})", e.what());
    return out;
  }
  for (const auto& runner : listing.value("runners", nlohmann::json::array())) {
    auto it = out.find(runner.value("device", std::string()));
    if (it != out.end()) ++it->second;
  }
  return out;
}

std::vector<std::string> FarmEvaluator::metrics() const {
  std::vector<std::string> out;
  for (const std::string& d : options_.devices) {
    out.push_back(d + "_ms");
    out.push_back(d + "_mj");
  }
  for (const Precision p : kOtherPrecisions) {
    for (const std::string& d : options_.devices) {
      out.push_back(d + "_ms_" + to_string(p));
      out.push_back(d + "_mj_" + to_string(p));
    }
  }
  for (const std::string& d : options_.devices) out.push_back(d + "_cpu_ops_int8");
  return out;
}

Precision FarmEvaluator::precision_of(const std::string& metric) {
  const Precision p = parse_metric(metric).precision;
  return p == Precision::kUnspecified ? Precision::kFp32 : p;
}

const std::string& FarmEvaluator::device_of(const std::string& metric) const {
  const Metric parsed = parse_metric(metric);
  const bool other_precision =
      std::find(std::begin(kOtherPrecisions), std::end(kOtherPrecisions), parsed.precision) !=
      std::end(kOtherPrecisions);
  if (parsed.precision == Precision::kUnspecified || other_precision) {
    for (const std::string& d : options_.devices) {
      if (parsed.base == d + "_ms" || parsed.base == d + "_mj") return d;
    }
  }
  if (parsed.precision == Precision::kInt8) {
    for (const std::string& d : options_.devices) {
      if (parsed.base == d + "_cpu_ops") return d;
    }
  }
  std::string known;
  for (const std::string& m : metrics()) known += (known.empty() ? "\"" : ", \"") + m + "\"";
  throw Error("the farm measures " + known + ", not \"" + metric + "\"");
}

EvaluationKey FarmEvaluator::key(const std::string& metric) const {
  EvaluationKey k;
  k.device = device_of(metric);
  k.metric = metric;
  k.source = Source::kMeasured;
  k.fidelity = options_.protocol.key();
  return k;
}

Workload FarmEvaluator::workload() const {
  return options_.on_this_host ? Workload::kQuietHost : Workload::kRemote;
}

JobSpec FarmEvaluator::job_for(const Arch& arch, const std::string& id, const Intake& intake,
                               Precision precision) {
  JobSpec job;
  // Unique across processes sharing a broker: pid and a counter.
  job.job_id = std::to_string(getpid()) + "-" + std::to_string(next_job_++) + "-" + id;
  job.space = options_.space_name;
  job.arch = space_.to_json(arch);
  job.space_options = options_.space_options;
  job.input_shape = options_.input_shape;
  job.protocol = options_.protocol;
  job.deadline_seconds = options_.deadline_seconds;
  job.precision = precision;
  // A job at another precision always carries its file: a runner that
  // builds archs itself times them in LibTorch at fp32 only.
  if (!options_.export_onnx || (precision == Precision::kFp32 && !intake.onnx)) return job;
  const bool quantize_on_board = precision == Precision::kInt8 && intake.quantizes_on_board &&
                                 options_.calibration_images;
  ExportedModel model = options_.export_onnx(arch, quantize_on_board ? Precision::kFp32 : precision);
  job.onnx = std::move(model.onnx);
  job.input_shape = std::move(model.input_shape);
  if (quantize_on_board) job.calibration = options_.calibration_images(arch);
  return job;
}

Evaluation FarmEvaluator::value_of(const Measured& m, const std::string& metric) const {
  Evaluation e;
  e.key = key(metric);
  const JobResult& r = m.result;
  if (r.status != wire::JobStatus::kOk) {
    e.note = std::string(wire::to_string(r.status)) + ": " + r.message;
    return e;
  }
  e.measurement = m.record;
  const MetricKind kind = parse_metric(metric).kind;
  if (kind == MetricKind::kLatency) {
    e.value = r.latency->median_ms;
  } else if (kind == MetricKind::kCount) {
    // What the compiler left to the host's CPU, as the job compiled it.
    const auto report = r.environment.find("edgetpu_compiler");
    if (report != r.environment.end() && report->contains("on_cpu")) {
      e.value = (*report)["on_cpu"].get<double>();
    } else {
      e.note = "not reported: the runner's pipeline ran no `edgetpu_compiler -s` whose report reads";
    }
  } else if (r.energy) {
    e.value = r.energy->millijoules_per_inference();
  } else {
    e.note = "not measured: the runner has no power meter";
  }
  return e;
}

std::unique_ptr<PendingBatch> FarmEvaluator::submit(std::vector<EvaluationRequest> requests) {
  if (batch_open_) throw Error("farm evaluator: a batch is still open");
  return std::make_unique<Batch>(*this, std::move(requests));
}

Evaluation FarmEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  auto batch = submit({{arch, metric}});
  while (!batch->done()) {
    auto answers = batch->collect(std::chrono::milliseconds(100));
    if (!answers.empty()) return std::move(answers.front().evaluation);
  }
  throw Error("farm: a batch of one request ended without its answer");
}

}  // namespace nas

// Latency (and energy, where the runner has a meter) measured by the farm:
// an Evaluator that sends each architecture to a runner with the device key
// and waits for its result. Values are `measured`; their fidelity is the
// measuring protocol's key, so an (arch, device, protocol) is measured once
// and every later request is a cache hit in the store. Each value carries the
// job's full statistics (Evaluation::measurement) for the store's
// measurements table.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "device_runners/client/farm_client.h"
#include "estimators/evaluator.h"

namespace nas {

// A network exported for the farm: the ONNX file and the input shape it takes.
struct ExportedModel {
  std::string onnx;
  std::vector<std::int64_t> input_shape;
};

struct FarmEvaluatorOptions {
  std::string device;           // device key; metrics are "<device>_ms" and "<device>_mj"
  std::string space_name;       // SearchSpace::name() of the architectures sent
  nlohmann::json space_options = nlohmann::json::object();  // what rebuilds the network
  std::vector<std::int64_t> input_shape;
  MeasureProtocol protocol;
  double deadline_seconds = 300;  // per job, from dispatch
  double wait_seconds = 3600;     // per job, from submission (queueing included)
  // Exports an arch for runners that measure ONNX files (the command
  // backend). When set, a job carries the file (and its input shape) unless
  // every runner the broker lists for the device builds archs itself, as
  // each says in HELLO; unset, jobs carry the arch only.
  std::function<ExportedModel(const Arch&)> export_onnx;
};

class FarmEvaluator : public Evaluator {
 public:
  // `space` must outlive the evaluator. Nothing connects before the first
  // measurement, so building one (as `nas validate` does) needs no broker.
  FarmEvaluator(const SearchSpace& space, FarmClientOptions client, FarmEvaluatorOptions options);

  std::vector<std::string> metrics() const override;
  EvaluationKey key(const std::string& metric) const override;
  // Measures on the farm (once per arch: the energy of the same job answers
  // "<device>_mj"). A timeout, an error or an unsupported job gives no value
  // and a note saying why; an arch the meter could not measure has no energy.
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;

 private:
  const JobResult& result_for(const Arch& arch);
  bool runners_need_onnx();

  const SearchSpace& space_;
  FarmClientOptions client_options_;
  std::unique_ptr<FarmClient> client_;  // connected on first use
  FarmEvaluatorOptions options_;
  std::int64_t next_job_ = 0;
  std::map<std::string, JobResult> results_;  // by arch id, for the _mj metric
  std::shared_ptr<const MeasurementRecord> record_;  // of results_' one result; null unless ok
};

}  // namespace nas

// Latency (and energy, where the runner has a meter) measured by the farm:
// an Evaluator that sends architectures to runners by device key, one or
// several keys per run. Values are `measured`; their fidelity is the
// measuring protocol's key, so an (arch, device, protocol) is measured once
// and every later request is a cache hit in the store. Each value carries the
// job's full statistics (Evaluation::measurement) for the store's
// measurements table.
//
// A batch (submit) sends one job per (arch, device key) to the broker at
// once (FarmClientOptions::max_outstanding waiting at a time) and waits for
// them on a thread of its own, which keeps heartbeating while the caller
// scores accuracy; each result is handed to the caller's collect() as it
// arrives. While a batch waits, a progress line per device key says how many
// jobs are in flight, how many boards are busy and idle, and how many
// measurements are done, or which key no runner serves yet.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
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
  // Device keys; each gives metrics "<key>_ms" and "<key>_mj" (the fp32
  // network), and "<key>_ms_int8", "<key>_mj_int8", "<key>_ms_fp16" and
  // "<key>_mj_fp16": a job at that precision, which the key's runner
  // measures with a runtime of that precision or answers `unsupported`;
  // and "<key>_cpu_ops_int8", from the int8 job: the operations the Edge TPU
  // compiler's report leaves to the host's CPU (no value where the pipeline
  // runs no such compiler).
  std::vector<std::string> devices;
  std::string space_name;       // SearchSpace::name() of the architectures sent
  nlohmann::json space_options = nlohmann::json::object();  // what rebuilds the network
  std::vector<std::int64_t> input_shape;
  MeasureProtocol protocol;
  double deadline_seconds = 300;  // per job, from dispatch
  double wait_seconds = 3600;     // per job, from submission (queueing included)
  // Exports an arch at a precision (fp32, int8 as a calibrated QDQ file,
  // fp16 as the fp32 file the runtime converts) for runners that measure
  // ONNX files (the command backend). When set, an fp32 job carries the file
  // (and its input shape) unless every runner the broker lists for the
  // device builds archs itself, as each says in HELLO, and a job at another
  // precision always carries it; unset, jobs carry the arch only.
  std::function<ExportedModel(const Arch&, Precision)> export_onnx;
  // The images the int8 metrics calibrate `arch` on. An int8 job for a key
  // whose runners quantize on the board (HELLO's "int8_input": "fp32", as
  // the Edge TPU's converter does) carries the fp32 file and these, instead
  // of the QDQ file; unset, such a job is sent as QDQ and refused there.
  std::function<ImageBatch(const Arch&)> calibration_images;
  // The keys' runner is this machine's CPU (the embedded local runner): a
  // batch then runs only while the machine does nothing else
  // (Workload::kQuietHost), since a latency timed on a busy CPU is wrong.
  bool on_this_host = false;
  // Seconds between progress lines while a batch waits.
  double progress_seconds = 3;
};

class FarmEvaluator : public Evaluator {
 public:
  // `space` must outlive the evaluator. Nothing connects before the first
  // measurement, so building one (as `nas validate` does) needs no broker.
  FarmEvaluator(const SearchSpace& space, FarmClientOptions client, FarmEvaluatorOptions options);

  std::vector<std::string> metrics() const override;
  EvaluationKey key(const std::string& metric) const override;
  // Measures on the farm (once per arch and key: the energy of the same job
  // answers "<key>_mj"). A timeout, an error or an unsupported job gives no
  // value and a note saying why; an arch the meter could not measure has no
  // energy. A job no runner answered within wait_seconds throws nas::Error
  // (not an outcome of the arch: the run stops, and --resume goes on later),
  // and so do the first 3 or more jobs of a key and precision that all fail
  // with no success before them (a runner that cannot measure at all):
  // those failures are not handed on, and with them not stored.
  Evaluation evaluate(const Arch& arch, const std::string& metric) override;
  // Every job of the batch at once; answers as results arrive, both metrics
  // of one job in the same collect(). REQUIRES: no other batch of this
  // evaluator is open (throws nas::Error otherwise).
  std::unique_ptr<PendingBatch> submit(std::vector<EvaluationRequest> requests) override;
  Workload workload() const override;

  // Runners the broker lists for each of the evaluator's keys (0 for a key
  // none serves yet); all 0 when the broker does not answer. Connects.
  std::map<std::string, std::size_t> runners_per_device();

  // The result of one job, and the record its values share.
  struct Measured {
    JobResult result;
    std::shared_ptr<const MeasurementRecord> record;  // null unless ok
  };

 private:
  class Batch;
  FarmClient& client();
  const std::string& device_of(const std::string& metric) const;
  // The precision of the job that measures `metric`.
  static Precision precision_of(const std::string& metric);
  // What the runners the broker lists for a device take, from one listing.
  struct Intake {
    bool onnx = true;                 // a runner measures files, or none is listed yet
    bool quantizes_on_board = false;  // a runner's int8 input is the fp32 file and images
  };
  Intake runner_intake(const std::string& device);
  JobSpec job_for(const Arch& arch, const std::string& id, const Intake& intake, Precision precision);
  // The value of `metric` from a job's result.
  Evaluation value_of(const Measured& m, const std::string& metric) const;

  const SearchSpace& space_;
  FarmClientOptions client_options_;
  std::unique_ptr<FarmClient> client_;  // connected on first use
  FarmEvaluatorOptions options_;
  std::int64_t next_job_ = 0;
  // The latest batch's results by (arch id, key and precision), for the
  // other metric of the same job asked afterwards.
  std::map<std::pair<std::string, std::string>, Measured> latest_;
  bool batch_open_ = false;
  // Measurements done per key by this evaluator; guarded by the open batch
  // (only its thread writes while it is open).
  std::map<std::string, std::int64_t> measured_;
  // Targets (key and precision) measured at least once by this evaluator,
  // and the failures of the others handed on so far (on the caller's thread).
  std::set<std::string> measured_targets_;
  std::map<std::string, std::int64_t> failures_before_measuring_;
};

}  // namespace nas

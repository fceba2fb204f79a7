#include "cli/wiring.h"

#include <algorithm>

#include "cli/farm_session.h"
#include "cli/host_work_log.h"
#include "core/errors.h"
#include "core/metric.h"
#include "core/space_registry.h"
#include "device_runners/client/farm_evaluator.h"
#include "estimators/analytic_evaluator.h"
#include "estimators/composite_evaluator.h"
#include "estimators/mbv3_cost.h"
#include "estimators/robust_linear_predictor.h"
#include "estimators/tabular_evaluator.h"
#include "supernet/onnx_export.h"
#include "supernet/supernet.h"
#include "supernet/supernet_evaluators.h"
#include "search/rl/reinforce.h"
#include "search/surrogate_search.h"

namespace nas::cli {
namespace {

std::unique_ptr<Evaluator> make_evaluator(const EvaluatorOptions& options) {
  // Only the tabular evaluator exists so far; config validation guarantees it.
  const std::string path = options.path.empty() ? Nb201Table::shipped_path() : options.path;
  std::shared_ptr<const Nb201Table> table;
  try {
    table = std::make_shared<const Nb201Table>(Nb201Table::load(path));
  } catch (const Error& e) {
    throw ConfigError(options.path.empty() ? "/evaluator/table" : "/evaluator/path", e.what());
  }
  return std::make_unique<TabularEvaluator>(std::move(table));
}

// The supernet of an mbv3 run (its data is read here, so a missing data set
// is a config error) and its evaluators: accuracy, analytic cost, CPU latency.
// For runners that measure ONNX files (the command backend), at the
// protocol's batch size: the fp32 subnet with the supernet's weights and BN
// statistics as trained (values that do not change its timing; fp16 jobs
// get it too, as the tools convert it themselves); the int8 subnet as the
// QDQ file of what val_acc_int8 scores (BN recalibrated, calibrated as
// evaluator/quantization says), so the board times the network the search
// scored.
std::function<ExportedModel(const Arch&, Precision)> onnx_exporter(
    std::shared_ptr<Supernet> supernet, const SupernetEvaluatorOptions& scoring) {
  return [supernet = std::move(supernet), scoring](const Arch& arch, Precision precision) {
    OnnxExportOptions onnx;
    onnx.batch = scoring.latency.batch;
    onnx.producer_version = NAS_CODE_VERSION;
    OnnxModel model;
    if (precision == Precision::kInt8) {
      model = supernet->export_onnx(arch, onnx, scoring, Precision::kInt8);
    } else {
      SupernetEvaluatorOptions no_recalibration;
      no_recalibration.bn_batches = 0;
      model = supernet->export_onnx(arch, onnx, no_recalibration);
    }
    return ExportedModel{std::move(model.bytes), std::move(model.input_shape)};
  };
}

// The farm's evaluators: the local runner's key (this machine's CPU, measured
// only while the machine is otherwise idle) apart from the boards' keys,
// whose jobs overlap the workstation's scoring.
void wire_farm_latency(const RunConfig& config, RunPieces& pieces, const FarmSession* farm,
                       std::vector<std::unique_ptr<Evaluator>>& parts) {
  const Supernet& supernet = *pieces.supernet;
  FarmEvaluatorOptions options = farm_latency_options(config, supernet.space(), supernet.layout());
  options.export_onnx = onnx_exporter(pieces.supernet, config.evaluator.supernet);
  options.calibration_images = [supernet = pieces.supernet,
                                scoring = config.evaluator.supernet](const Arch& arch) {
    return supernet->calibration_images(arch, scoring);
  };
  const bool local_runner = config.farm.local_runner && !config.farm.bind.empty();
  std::vector<FarmEvaluatorOptions> groups;
  if (local_runner) {
    FarmEvaluatorOptions host = options;
    host.devices = {options.devices.front()};
    host.on_this_host = true;
    groups.push_back(std::move(host));
    options.devices.erase(options.devices.begin());
  }
  if (!options.devices.empty()) groups.push_back(std::move(options));
  for (FarmEvaluatorOptions& group : groups) {
    auto evaluator = std::make_unique<FarmEvaluator>(
        supernet.space(), farm_client_options(config, farm), std::move(group));
    pieces.farm_evaluators.push_back(evaluator.get());
    parts.push_back(std::move(evaluator));
  }
}

void wire_supernet(const RunConfig& config, RunPieces& pieces, const FarmSession* farm) {
  try {
    pieces.supernet = std::make_shared<Supernet>(config.space.mbv3, config.supernet, config.seed);
  } catch (const Error& e) {
    throw ConfigError("/supernet/data", e.what());
  }
  std::vector<std::unique_ptr<Evaluator>> parts;
  parts.push_back(std::make_unique<HostWorkLog>(
      std::make_unique<SupernetAccuracyEvaluator>(pieces.supernet, config.evaluator.supernet)));
  parts.push_back(std::make_unique<Mbv3AnalyticEvaluator>(pieces.supernet->space(),
                                                          pieces.supernet->layout()));
  if (config.farm.enabled) {
    wire_farm_latency(config, pieces, farm, parts);
  } else {
    parts.push_back(
        std::make_unique<CpuLatencyEvaluator>(pieces.supernet, config.evaluator.supernet.latency));
  }
  pieces.evaluator = std::make_unique<CompositeEvaluator>(std::move(parts));
  // The front's test accuracy, and at each precision the search scored it.
  pieces.final_metrics = {"test_acc"};
  for (const Objective& o : config.objectives) {
    const Metric m = parse_metric(o.metric);
    if (m.base == "val_acc" && m.precision != Precision::kUnspecified) {
      pieces.final_metrics.push_back("test_acc_" + std::string(to_string(m.precision)));
    }
  }
}

void check_metric(const Evaluator& evaluator, const std::string& metric, const std::string& path) {
  try {
    evaluator.key(metric);
  } catch (const Error& e) {
    throw ConfigError(path, e.what());
  }
}

// Wraps the evaluator in one ScreenedEvaluator per "screening" entry. The
// predictor of a screened metric is the robust linear model over the space's
// cost features (mbv3: MACs, params, peak memory; nb201: op counts).
void wire_screening(const RunConfig& config, RunPieces& pieces) {
  if (config.screening.empty()) return;
  pieces.screened_space = pieces.supernet
                              ? std::shared_ptr<const SearchSpace>(pieces.supernet, &pieces.supernet->space())
                              : std::make_shared<const SearchSpace>(pieces.space);
  const SearchSpace& space = *pieces.screened_space;
  RobustLinearOptions robust;
  robust.views = pieces.supernet
                     ? std::vector<FeatureView>{{"MACs, params, memory",
                                                 mbv3_features(space, pieces.supernet->layout())}}
                     : default_feature_views(space);
  PredictorFactory factory;  // empty: the GP on the decisions
  if (!robust.views.empty()) {
    factory = [robust] { return std::make_unique<RobustLinearPredictor>(robust); };
  }
  for (std::size_t i = 0; i < config.screening.size(); ++i) {
    const ScreeningConfig& c = config.screening[i];
    ScreeningOptions options;
    options.metric = c.metric;
    options.objectives = config.objectives;
    options.budget = c.budget;
    options.warmup = c.warmup;
    options.explore = c.explore;
    if (pieces.supernet) options.failure_features = robust.views.front().features;
    try {
      auto screened = std::make_unique<ScreenedEvaluator>(std::move(pieces.evaluator), space,
                                                          options, factory);
      pieces.screens.push_back(screened.get());
      pieces.evaluator = std::move(screened);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError("/screening/" + std::to_string(i), e.what());
    }
  }
}

// Structural checks before any measurement, outermost so that a network
// that computes nothing reaches no predictor and no board either.
void wire_structural_gate(RunPieces& pieces) {
  // Its own copy of the space: `pieces` (and its space) is moved on return.
  auto space = std::make_shared<const SearchSpace>(pieces.supernet ? pieces.supernet->space()
                                                                   : pieces.space);
  const StructuralCheck check = structural_check(*space);
  if (!check) return;
  auto gate = std::make_unique<StructuralGate>(
      std::move(pieces.evaluator), [space, check](const Arch& arch) { return check(arch); });
  pieces.gate = gate.get();
  pieces.evaluator = std::move(gate);
}

}  // namespace

// Latency through the farm: the same LatencyOptions, as a measuring protocol
// a runner follows.
FarmEvaluatorOptions farm_latency_options(const RunConfig& config, const SearchSpace& space,
                                          const Mbv3Layout& layout) {
  const LatencyOptions& latency = config.evaluator.supernet.latency;
  FarmEvaluatorOptions options;
  options.devices = config.farm.devices;
  options.space_name = space.name();
  options.space_options = {{"space", config.document.at("space")},
                           {"in_channels", layout.in_channels},
                           {"classes", layout.classes}};
  const int resolution = layout.resolutions.back();
  options.input_shape = {latency.batch, layout.in_channels, resolution, resolution};
  options.protocol = MeasureProtocol::from_options(latency);
  options.deadline_seconds = config.farm.deadline_seconds;
  options.wait_seconds = config.farm.wait_seconds;
  return options;
}

FarmClientOptions farm_client_options(const RunConfig& config, const FarmSession* farm) {
  const std::string endpoint = farm ? farm->endpoint() : std::string();
  FarmClientOptions client;
  client.connect = endpoint.empty() ? (config.farm.connect.empty() ? config.farm.bind
                                                                    : config.farm.connect)
                                    : endpoint;
  client.broker_public_key_file = config.farm.broker_key;
  client.curve_secret_file = config.farm.keys;
  if (!endpoint.empty()) client.broker_failure = [farm] { return farm->broker_failure(); };
  return client;
}

RunPieces wire_run(const RunConfig& config, const FarmSession* farm) {
  if (config.evaluator.type == "tabular" && config.space.type != "nb201") {
    throw ConfigError("/evaluator/type", "the tabular evaluator serves the nb201 space; the " +
                                             config.space.type + " space needs \"supernet\"");
  }
  if (config.farm.enabled && config.evaluator.type != "supernet") {
    throw ConfigError("/farm", "the farm measures networks built from a supernet space (mbv3); "
                               "the nb201 table already holds device latencies");
  }
  RunPieces pieces{make_space(config.space), nullptr, nullptr, {}, nullptr, {}, nullptr, {}};
  if (config.evaluator.type == "supernet") {
    wire_supernet(config, pieces, farm);
  } else {
    pieces.evaluator = make_evaluator(config.evaluator);
  }
  for (std::size_t i = 0; i < config.objectives.size(); ++i) {
    check_metric(*pieces.evaluator, config.objectives[i].metric,
                 "/objectives/" + std::to_string(i) + "/metric");
  }
  for (std::size_t i = 0; i < config.constraints.size(); ++i) {
    check_metric(*pieces.evaluator, config.constraints[i].metric,
                 "/constraints/" + std::to_string(i));
  }
  wire_screening(config, pieces);
  wire_structural_gate(pieces);
  return pieces;
}

std::unique_ptr<Strategy> wire_strategy(const RunConfig& config, const SearchSpace& space) {
  // rl links LibTorch and lives in its own library (search/rl/).
  if (config.search.strategy == "rl") return make_rl_strategy(config, space);
  return make_strategy(config.search, space, config.objectives.size(), config.seed);
}

std::size_t batch_size(const SearchOptions& options, std::size_t boards) {
  if (options.batch > 0) return static_cast<std::size_t>(options.batch);
  if (options.strategy == "rl") return std::max(Reinforce::kDefaultBatch, boards);
  if (options.strategy == "surrogate") return std::max(SurrogateSearch::kDefaultBatch, boards);
  // NSGA-II breeds one generation per step: its population's worth.
  if (options.strategy == "nsga2") return static_cast<std::size_t>(options.population);
  return std::max<std::size_t>(1, boards);  // random, evolution
}

std::size_t farm_boards(const RunPieces& pieces) {
  std::size_t boards = 0;
  for (FarmEvaluator* farm : pieces.farm_evaluators) {
    for (const auto& [device, runners] : farm->runners_per_device()) {
      boards = std::max(boards, runners);
    }
  }
  return boards;
}

}  // namespace nas::cli

// `nas predictor eval`: how well the learned predictors (GP and robust
// linear), and the device's look-up table where the store has one, predict a
// device's measured values, by k-fold cross-validation over the store's
// measurements.
#include <CLI/CLI.hpp>
#include <memory>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "cli/commands.h"
#include "cli/subcommand.h"
#include "supernet/dataset.h"
#include "core/json_parse.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/mbv3_blocks.h"
#include "core/random.h"
#include "estimators/gp_predictor.h"
#include "estimators/lut_predictor.h"
#include "estimators/mbv3_cost.h"
#include "estimators/prediction_quality.h"
#include "estimators/robust_linear_predictor.h"
#include "results/lut_store.h"
#include "results/measured_values.h"
#include "results/store.h"
#include "results/stored_run.h"

namespace nas::cli {
namespace {

// Fewer values than this give folds too small to say anything.
constexpr std::size_t kMinValues = 10;

// The space the values belong to, rebuilt from the configuration of a run
// that measured them; the mbv3 layout too, when it is an mbv3 space.
struct RebuiltSpace {
  std::unique_ptr<SearchSpace> space;
  std::optional<Mbv3Layout> layout;
};

RebuiltSpace rebuild_space(const Store& store, const std::string& name,
                           const std::vector<const MeasuredValue*>& values) {
  std::set<std::int64_t> runs;
  for (const MeasuredValue* v : values) {
    if (v->run_id) runs.insert(*v->run_id);
  }
  for (std::int64_t run : runs) {
    StoredRun stored = load_run(store, run);
    if (stored.space.name() != name) continue;
    RebuiltSpace out;
    out.space = std::make_unique<SearchSpace>(std::move(stored.space));
    if (stored.config.space.type == "mbv3") {
      out.layout = mbv3_layout(stored.config.space.mbv3, data_shape(stored.config.supernet.data));
    }
    return out;
  }
  throw Error("store " + store.path() + ": no run's configuration builds space " + name +
              ", so its architectures cannot be decoded");
}

// The look-up table of (device, space, protocol), when the store has one
// that covers every block of the layout.
std::optional<DeviceLut> stored_lut(const std::string& path, const std::string& device,
                                    const std::string& space, const std::string& protocol,
                                    const Mbv3Layout& layout) {
  LutStore store = LutStore::open(path, StoreMode::kReadOnly);
  const auto fit = store.fit(device, space, protocol);
  if (!fit) return std::nullopt;
  const auto entries = store.entries(device, protocol);
  DeviceLut lut;
  for (const Mbv3BlockConfig& b : mbv3_distinct_blocks(layout)) {
    const auto it = entries.find(b.key());
    if (it == entries.end()) {
      spdlog::warn("store {}: the look-up table of {} lacks block {}; it is left out", path,
                   device, b.key());
      return std::nullopt;
    }
    lut.blocks().set(b.key(), {it->second.samples, it->second.median_ms, it->second.std_ms});
  }
  lut.set_fit({fit->overhead_ms, fit->scale, static_cast<std::size_t>(fit->subnets),
               fit->residual_ms});
  return lut;
}

}  // namespace

int predictor_eval_command(const PredictorEvalCommand& command) {
  const std::string metric = command.metric.empty() ? command.device + "_ms" : command.metric;
  const std::string& path = command.store_path;
  if (command.folds < 2) throw UsageError("--folds must be >= 2");
  const std::vector<MeasuredValue> all = measured_values(path, metric, command.device);
  if (all.empty()) {
    throw Error("store " + path + ": no measured values of metric '" + metric + "' on device '" +
                command.device + "'");
  }
  // Values of one space and one measuring protocol only: the largest group.
  std::map<std::pair<std::string, std::string>, std::vector<const MeasuredValue*>> groups;
  for (const MeasuredValue& v : all) groups[{v.space, v.fidelity}].push_back(&v);
  const auto largest = std::max_element(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    return a.second.size() < b.second.size();
  });
  const auto& [space_name, protocol] = largest->first;
  const std::vector<const MeasuredValue*>& group = largest->second;
  if (group.size() < kMinValues) {
    throw Error("store " + path + ": only " + std::to_string(group.size()) +
                " measured values of metric '" + metric + "' on device '" + command.device +
                "' (space " + space_name + ", protocol " + protocol + "); predictor eval needs at least " +
                std::to_string(kMinValues));
  }
  if (groups.size() > 1) {
    spdlog::info("{} measured values in {} (space, protocol) groups; evaluating the largest",
                 all.size(), groups.size());
  }

  const Store store = Store::open(path, StoreMode::kReadOnly);
  const RebuiltSpace rebuilt = rebuild_space(store, space_name, group);
  const SearchSpace& space = *rebuilt.space;
  std::vector<Arch> archs;
  std::vector<double> values;
  for (const MeasuredValue* v : group) {
    archs.push_back(space.from_json(parse_json(v->canonical_json)));
    values.push_back(v->value);
  }
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(command.folds), archs.size());
  const std::vector<Fold> folds = k_folds(archs.size(), k, command.seed);

  std::vector<std::pair<std::string, PredictorFactory>> models;
  FeatureFunction features = rebuilt.layout ? mbv3_features(space, *rebuilt.layout)
                                            : default_features(space);
  models.emplace_back("gp", [&space, features] {
    GpOptions gp;
    gp.features = features;
    return std::make_unique<GpPredictor>(space, gp);
  });
  RobustLinearOptions robust;
  robust.views = rebuilt.layout ? std::vector<FeatureView>{{"MACs, params, memory", features}}
                                : default_feature_views(space);
  if (!robust.views.empty()) {
    models.emplace_back("robust-linear", [robust] {
      return std::make_unique<RobustLinearPredictor>(robust);
    });
  }
  if (rebuilt.layout) {
    if (auto lut = stored_lut(path, command.device, space_name, protocol, *rebuilt.layout)) {
      const Mbv3Layout layout = *rebuilt.layout;
      models.emplace_back("lut+overhead", [&space, layout, lut = *lut] {
        return std::make_unique<LutPredictor>(space, layout, lut);
      });
    }
  }

  std::printf("predictor eval: store %s, device %s, metric %s, space %s, protocol %s\n",
              path.c_str(), command.device.c_str(), metric.c_str(), space_name.c_str(),
              protocol.c_str());
  std::printf("%zu measured values, %zu-fold cross-validation (seed %llu): train %zu, test %zu "
              "per fold; figures over all held-out predictions\n",
              archs.size(), k, static_cast<unsigned long long>(command.seed),
              folds.front().train.size(), folds.front().test.size());
  std::printf("%-14s %8s %8s %10s %9s %8s\n", "predictor", "n_train", "n_test", "within10%",
              "spearman", "mape%");
  for (const auto& [name, make] : models) {
    const PredictionQuality q = cross_validate(make, archs, values, folds);
    std::printf("%-14s %8zu %8zu %9.1f%% %9.3f %8.2f\n", name.c_str(), folds.front().train.size(),
                q.count, 100 * q.within10, q.spearman, q.mape);
  }
  return 0;
}

Subcommand add_predictor_eval_command(CLI::App& nas) {
  auto command = std::make_shared<PredictorEvalCommand>();
  CLI::App* predictor = nas.add_subcommand("predictor", "Latency and energy predictors");
  predictor->require_subcommand(1);
  CLI::App* app = predictor->add_subcommand(
      "eval", "Held-out accuracy of the predictors on a store's measured values");
  app->add_option("store", command->store_path, "SQLite fitness store")->required();
  app->add_option("--device", command->device, "Device key")->required();
  app->add_option("--metric", command->metric, "Metric (default: <device>_ms)");
  app->add_option("--folds", command->folds, "Cross-validation folds");
  app->add_option("--seed", command->seed, "Seed of the folds' shuffle");
  return {app, [command] { return predictor_eval_command(*command); }};
}

}  // namespace nas::cli

// `nas lut build`: measures every distinct block of a config's mbv3 space on
// a runner of one device key, stores them as that device's look-up table,
// fits the whole-network term on a few measured subnets and reports the
// table's accuracy on other, held-out subnets.
#include <CLI/CLI.hpp>
#include <memory>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "cli/commands.h"
#include "cli/farm_session.h"
#include "cli/progress.h"
#include "cli/subcommand.h"
#include "cli/wiring.h"
#include "supernet/dataset.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/mbv3_blocks.h"
#include "core/random.h"
#include "estimators/lut_predictor.h"
#include "estimators/prediction_quality.h"
#include "results/lut_store.h"
#include "results/run_journal.h"
#include "results/store.h"

namespace nas::cli {
namespace {

// Block jobs per FarmClient::run: small enough for a progress line that moves,
// large enough to keep every runner of the key busy.
constexpr std::size_t kBlockChunk = 8;

FarmOptions farm_for(const RunConfig& config, const LutBuildCommand& command) {
  FarmOptions farm = config.farm;
  if (!farm.enabled) {  // as `"farm": {}`: embedded broker and a local CPU runner
    farm.enabled = true;
    farm.bind = "tcp://127.0.0.1:0";
    farm.local_runner = true;
  }
  if (!command.device.empty()) farm.devices = {command.device};
  if (!command.connect.empty()) {
    farm.connect = command.connect;
    farm.bind.clear();
    farm.local_runner = false;
  }
  return farm;
}

LutEntryRecord entry_of(const Mbv3BlockConfig& block, const JobResult& r) {
  LutEntryRecord e;
  e.block_json = block.to_json().dump();
  e.median_ms = r.latency->median_ms;
  e.p90_ms = r.latency->p90_ms;
  e.mean_ms = r.latency->mean_ms;
  e.std_ms = r.latency->std_ms;
  e.min_ms = r.latency->min_ms;
  e.samples = static_cast<std::int64_t>(r.latency->samples_ms.size());
  e.runner = r.runner_id;
  e.environment_json = r.environment.dump();
  return e;
}

// Measures the blocks the table lacks, a chunk at a time, storing each.
void measure_blocks(const std::vector<Mbv3BlockConfig>& missing, const FarmEvaluatorOptions& farm,
                    const FarmClientOptions& client_options, LutStore& lut, bool quiet) {
  if (missing.empty()) return;
  FarmClient client(client_options);
  Progress progress("blocks", static_cast<std::int64_t>(missing.size()), !quiet);
  const std::string protocol = farm.protocol.key();
  for (std::size_t start = 0; start < missing.size(); start += kBlockChunk) {
    std::vector<FarmJob> jobs;
    for (std::size_t i = start; i < std::min(missing.size(), start + kBlockChunk); ++i) {
      const Mbv3BlockConfig& b = missing[i];
      JobSpec job;
      job.job_id = "lut-" + std::to_string(getpid()) + "-" + std::to_string(i);
      job.kind = kJobMbv3Block;
      job.space = farm.space_name;
      job.arch = b.to_json();
      job.input_shape = {farm.protocol.batch_size, b.in_channels, b.input_side, b.input_side};
      job.protocol = farm.protocol;
      job.deadline_seconds = farm.deadline_seconds;
      jobs.push_back({farm.devices.front(), std::move(job)});
    }
    const std::vector<JobResult> results = client.run(jobs, farm.wait_seconds);
    for (std::size_t j = 0; j < results.size(); ++j) {
      const Mbv3BlockConfig& b = missing[start + j];
      const JobResult& r = results[j];
      if (r.status != wire::JobStatus::kOk || !r.latency) {
        throw Error("lut build: block " + b.key() + " on device '" + farm.devices.front() + "': " +
                    wire::to_string(r.status) + ": " + r.message);
      }
      lut.put_entry(farm.devices.front(), protocol, b.key(), entry_of(b, r));
    }
    progress.update(static_cast<std::int64_t>(std::min(missing.size(), start + kBlockChunk)));
  }
  progress.finish();
}

// `count` distinct random subnets not in `taken` (which grows), fewer when
// the space runs out.
std::vector<Arch> sample_subnets(const SearchSpace& space, Rng& rng, std::size_t count,
                                 std::set<std::string>& taken) {
  std::vector<Arch> out;
  for (std::size_t tries = 0; out.size() < count && tries < 100 * (count + 1); ++tries) {
    const Arch arch = space.sample(rng);
    if (taken.insert(space.id(arch)).second) out.push_back(arch);
  }
  return out;
}

// The measured latency of each arch: the store's value when there is one
// (any run, same device and protocol), else the farm's, recorded first.
std::vector<double> measure_subnets(const std::vector<Arch>& archs, const SearchSpace& space,
                                    FarmEvaluator& farm, RunJournal& journal, Progress& progress,
                                    std::int64_t& done) {
  const std::string metric = farm.metrics().front();
  const EvaluationKey key = farm.key(metric);
  std::vector<double> values;
  for (const Arch& arch : archs) {
    std::optional<double> value;
    for (const Evaluation& e : journal.find(space.id(arch))) {
      if (e.key == key && e.value) value = e.value;
    }
    if (!value) {
      Evaluation e = farm.evaluate(arch, metric);
      journal.record(space, arch, {e});
      if (!e.value) {
        throw Error("lut build: subnet " + space.id(arch) + " on device '" + key.device +
                    "': " + e.note);
      }
      value = e.value;
    }
    values.push_back(*value);
    progress.update(++done);
  }
  return values;
}

}  // namespace

int lut_build_command(const LutBuildCommand& command) {
  RunConfig config = load_config(command.config_path);
  if (!command.store_path.empty()) config.store = command.store_path;
  if (config.space.type != "mbv3") {
    throw ConfigError("/space/type", "nas lut build measures the blocks of an mbv3 space, not " +
                                         config.space.type);
  }
  if (command.fit_subnets < 1) throw UsageError("--fit must be >= 1");
  config.farm = farm_for(config, command);
  FarmSession session(config.farm, static_cast<int>(config.evaluator.supernet.latency.threads));

  const Mbv3Layout layout = mbv3_layout(config.space.mbv3, data_shape(config.supernet.data));
  const SearchSpace space = mbv3_space(layout);
  const FarmEvaluatorOptions farm = farm_latency_options(config, space, layout);
  const FarmClientOptions client = farm_client_options(config, &session);
  const std::string protocol = farm.protocol.key();

  const auto store_dir = std::filesystem::path(config.store).parent_path();
  if (!store_dir.empty()) std::filesystem::create_directories(store_dir);
  Store store = Store::open(config.store, StoreMode::kReadWrite);
  LutStore lut = LutStore::open(config.store, StoreMode::kReadWrite);

  // 1. The blocks, each measured once per (device, protocol), ever.
  const std::vector<Mbv3BlockConfig> blocks = mbv3_distinct_blocks(layout);
  const auto stored = lut.entries(farm.devices.front(), protocol);
  std::vector<Mbv3BlockConfig> missing;
  for (const Mbv3BlockConfig& b : blocks) {
    if (!stored.count(b.key())) missing.push_back(b);
  }
  spdlog::info("lut {}: space {} has {} distinct blocks, {} in the table already, measuring {} "
               "(protocol {})",
               farm.devices.front(), space.name(), blocks.size(), blocks.size() - missing.size(),
               missing.size(), protocol);
  measure_blocks(missing, farm, client, lut, command.quiet);
  DeviceLut table;
  for (const auto& [key, e] : lut.entries(farm.devices.front(), protocol)) {
    table.blocks().set(key, {e.samples, e.median_ms, e.std_ms});
  }

  // 2. Whole subnets: some fit the overhead, the others test the table.
  RunInfo info;
  info.name = config.name + "-lut-" + farm.devices.front();
  info.config_json = config.document.dump();
  info.config_hash = config.hash;
  info.code_version = NAS_CODE_VERSION;
  info.seed = config.seed;
  info.strategy = "lut";
  const std::int64_t run_id = store.begin_run(info);
  RunJournal journal(store, run_id, store.begin_session(run_id));
  Rng rng(config.seed);
  std::set<std::string> taken;
  const std::vector<Arch> fit_archs =
      sample_subnets(space, rng, static_cast<std::size_t>(command.fit_subnets), taken);
  const std::vector<Arch> test_archs =
      sample_subnets(space, rng, static_cast<std::size_t>(std::max(0, command.holdout)), taken);
  FarmEvaluator evaluator(space, client, farm);
  Progress progress("subnets", static_cast<std::int64_t>(fit_archs.size() + test_archs.size()),
                    !command.quiet);
  std::int64_t done = 0;
  const std::vector<double> fit_values =
      measure_subnets(fit_archs, space, evaluator, journal, progress, done);
  const std::vector<double> test_values =
      measure_subnets(test_archs, space, evaluator, journal, progress, done);
  progress.finish();
  store.finish_run(run_id);

  LutPredictor predictor(space, layout, table);
  predictor.fit(fit_archs, fit_values);
  const LutFit& fit = predictor.lut().fit();
  lut.put_fit(farm.devices.front(), space.name(), protocol,
              {fit.overhead_ms, fit.scale, static_cast<std::int64_t>(fit.subnets), fit.residual_ms});

  std::printf("look-up table %s, space %s, protocol %s: %zu blocks (%zu measured now)\n",
              farm.devices.front().c_str(), space.name().c_str(), protocol.c_str(), table.blocks().size(),
              missing.size());
  std::printf("fit on %zu subnets: latency = %.4f ms + %.4f x sum of blocks (residual %.4f ms)\n",
              fit.subnets, fit.overhead_ms, fit.scale, fit.residual_ms);
  if (test_archs.size() >= 2) {
    std::vector<double> predicted;
    for (const Arch& arch : test_archs) predicted.push_back(predictor.predict(arch).mean);
    const PredictionQuality q = prediction_quality(test_values, predicted);
    std::printf("held-out subnets: %zu, within +-10 %%: %.1f %%, Spearman %.3f, MAPE %.2f %% "
                "(predicted vs measured)\n",
                q.count, 100 * q.within10, q.spearman, q.mape);
  } else {
    std::printf("held-out subnets: %zu (too few to report accuracy)\n", test_archs.size());
  }
  return 0;
}

Subcommand add_lut_build_command(CLI::App& nas) {
  auto command = std::make_shared<LutBuildCommand>();
  CLI::App* lut = nas.add_subcommand("lut", "Per-device block look-up tables");
  lut->require_subcommand(1);
  CLI::App* app =
      lut->add_subcommand("build", "Measure an mbv3 space's blocks on a device into the store");
  app->add_option("--config", command->config_path, "Run configuration with an mbv3 space")
      ->required();
  app->add_option("--device", command->device, "Device key (default: the config's farm device)");
  app->add_option("--store", command->store_path, "SQLite store (overrides the config's)");
  app->add_option("--connect", command->connect,
                  "External broker (default: embedded broker and a local CPU runner)");
  app->add_option("--fit", command->fit_subnets, "Whole subnets measured to fit the overhead");
  app->add_option("--holdout", command->holdout, "Other whole subnets measured to test it");
  app->add_flag("-q,--quiet", command->quiet, "No progress line");
  return {app, [command] { return lut_build_command(*command); }};
}

}  // namespace nas::cli

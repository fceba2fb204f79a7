#include "cli/export_command.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/subcommand.h"
#include "core/json_parse.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/mbv3_notation.h"
#include "results/store.h"
#include "results/stored_run.h"
#include "supernet/onnx_export.h"
#include "supernet/supernet.h"

namespace nas::cli {
namespace {

// The run whose configuration built the arch: the one asked for, or the
// latest that queried it.
std::int64_t run_of(const Store& store, const std::string& arch_id,
                    const std::optional<std::int64_t>& wanted) {
  const std::string where = "store " + store.path() + ": ";
  if (wanted) {
    if (!store.run(*wanted)) throw Error(where + "no run " + std::to_string(*wanted));
    const auto queried = store.queried_archs(*wanted);
    if (std::find(queried.begin(), queried.end(), arch_id) == queried.end()) {
      throw Error(where + "run " + std::to_string(*wanted) + " did not query arch " + arch_id);
    }
    return *wanted;
  }
  const auto runs = store.list_runs();
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const auto queried = store.queried_archs(it->id);
    if (std::find(queried.begin(), queried.end(), arch_id) != queried.end()) return it->id;
  }
  throw Error(where + "arch " + arch_id + " is stored, but no run of this store queried it, so "
              "there is no configuration to rebuild it from");
}

// The id `text` names: an id as it stands, else the compact mbv3 notation
// (core/mbv3_notation.h) read in the space of the latest run that parses it.
std::string resolve_arch(const Store& store, const std::string& text) {
  if (store.arch(text) || text.find('|') == std::string::npos) return text;
  const auto runs = store.list_runs();
  std::string problem;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    std::optional<StoredRun> run;
    try {
      run = load_run(store, it->id);
    } catch (const StoredRunError&) {
      continue;  // a run this build cannot read names no space to parse in
    }
    if (run->config.space.type != "mbv3") continue;
    const SearchSpace& space = run->space;
    try {
      const std::string id = space.id(parse_mbv3_notation(space, text));
      if (store.arch(id)) return id;
      problem = "architecture '" + text + "' (id " + id + ") is not in the store";
    } catch (const UsageError& e) {
      problem = e.what();
    }
  }
  if (problem.empty()) problem = "no architecture with id '" + text + "' and no mbv3 run to read it as a notation in";
  throw Error("store " + store.path() + ": " + problem);
}

}  // namespace

int export_command(const ExportCommand& command) {
  if (command.format != "onnx") throw UsageError("--format: only \"onnx\" is supported");
  if (command.batch < 1) throw UsageError("--batch must be >= 1");
  const Store store = Store::open(command.store_path, StoreMode::kReadOnly);
  const std::string arch_id = resolve_arch(store, command.arch_id);
  const auto arch = store.arch(arch_id);
  if (!arch) {
    throw Error("store " + store.path() + ": no architecture with id '" + arch_id +
                "' (`nas report` lists the stored ones)");
  }
  const std::int64_t run_id = run_of(store, arch_id, command.run_id);
  const RunConfig config = load_run(store, run_id).config;
  if (config.space.type != "mbv3" || !config.supernet.enabled) {
    throw Error("arch " + arch_id + " is in the " + arch->space +
                " space, which has no network builder: only subnets of a supernet space "
                "(mbv3) can be exported");
  }
  Supernet supernet(config.space.mbv3, config.supernet, config.seed);
  if (supernet.space().name() != arch->space) {
    throw Error("run " + std::to_string(run_id) + "'s configuration gives space " +
                supernet.space().name() + ", but arch " + arch_id + " is in " + arch->space);
  }
  if (!supernet.load()) {
    throw Error("checkpoint " + supernet.checkpoint_path() + " is missing: `nas run` with run " +
                std::to_string(run_id) + "'s configuration trains it (checkpoint_dir is "
                "relative to where the run started)");
  }
  if (!supernet.trained()) {
    throw Error("checkpoint " + supernet.checkpoint_path() + " holds " +
                std::to_string(supernet.epochs_done()) + " of " +
                std::to_string(config.supernet.training.epochs) +
                " epochs: `nas run --resume` finishes its training");
  }
  const Arch decoded = supernet.space().from_json(parse_json(arch->canonical_json));
  OnnxExportOptions options;
  options.batch = command.batch;
  options.producer_version = NAS_CODE_VERSION;
  options.doc = "nas subnet " + arch_id + " of run " + std::to_string(run_id) + ": " +
                arch->canonical_json;
  const OnnxModel model = supernet.export_onnx(decoded, options, config.evaluator.supernet);
  const std::string path =
      command.output_path.empty() ? arch_id + ".onnx" : command.output_path;
  write_model_file(path, model.bytes);
  std::string shape;
  for (std::size_t i = 0; i < model.input_shape.size(); ++i) {
    shape += (i ? "x" : "") + std::to_string(model.input_shape[i]);
  }
  std::printf("wrote %s: arch %s of run %lld, input %s, %zu bytes\n", path.c_str(),
              arch_id.c_str(), static_cast<long long>(run_id), shape.c_str(),
              model.bytes.size());
  return 0;
}

Subcommand add_export_command(CLI::App& nas) {
  auto command = std::make_shared<ExportCommand>();
  auto run_id = std::make_shared<std::int64_t>(0);
  CLI::App* app = nas.add_subcommand("export", "Write a stored subnet as a file to ship");
  app->add_option("store", command->store_path, "SQLite fitness store")->required();
  app->add_option("--arch", command->arch_id,
                  "Architecture id, or its mbv3 notation as the report prints it "
                  "('r28 | d3 k777 e666 | ...')")
      ->required();
  app->add_option("--format", command->format, "onnx")->check(CLI::IsMember({"onnx"}));
  app->add_option("-o,--output", command->output_path, "File (default: <arch id>.onnx)");
  CLI::Option* run = app->add_option(
      "--run", *run_id,
      "Rebuild from this run's configuration (default: the latest that queried it)");
  app->add_option("--batch", command->batch, "The input's fixed batch size (default 1)");
  return {app, [command, run_id, run] {
            if (*run) command->run_id = *run_id;
            return export_command(*command);
          }};
}

}  // namespace nas::cli

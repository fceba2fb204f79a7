#include "cli/export_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/stored_subnet.h"
#include "cli/subcommand.h"
#include "core/json_parse.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/mbv3_notation.h"
#include "core/preferred_value.h"
#include "results/store.h"
#include "results/stored_run.h"
#include "supernet/onnx_export.h"
#include "supernet/supernet.h"

namespace nas::cli {
int export_command(const ExportCommand& command) {
  if (command.format != "onnx") throw UsageError("--format: only \"onnx\" is supported");
  if (command.batch < 1) throw UsageError("--batch must be >= 1");
  if (command.precision != "fp32" && command.precision != "int8") {
    throw UsageError("--precision: \"" + command.precision + "\" is not written; fp32 or int8");
  }
  const Precision precision = command.precision == "int8" ? Precision::kInt8 : Precision::kFp32;
  const Store store = Store::open(command.store_path, StoreMode::kReadOnly);
  StoredSubnet stored = load_stored_subnet(store, command.arch_id, command.run_id);
  const std::string& arch_id = stored.arch_id;
  const std::int64_t run_id = stored.run_id;
  Supernet& supernet = *stored.supernet;
  const Arch& decoded = stored.arch;
  OnnxExportOptions options;
  options.batch = command.batch;
  options.producer_version = NAS_CODE_VERSION;
  options.doc = "nas subnet " + arch_id + " of run " + std::to_string(run_id) + ": " +
                stored.canonical_json;
  // The store's latest fine-tune of the arch, unless the user asks for the
  // supernet's own weights.
  std::optional<std::string> finetune_id;
  std::string weights;
  const std::vector<Evaluation> values = store.evaluations(arch_id);
  const Evaluation* tuned = fine_tuned_value(values, "test_acc");
  if (tuned && !finetune_id_of(tuned->key.fidelity)) {
    throw Error("store " + store.path() + ": arch " + arch_id + " has a fine-tuned test_acc of '" +
                tuned->key.fidelity + "', which names no fine-tune this build knows");
  }
  if (tuned) {
    if (!command.inherited) {
      finetune_id = finetune_id_of(tuned->key.fidelity);
      weights = fmt::format("fine-tuned {} (test_acc {:.4f}; --inherited for the supernet's)",
                            tuned->key.fidelity, *tuned->value);
    } else {
      weights = "inherited from supernet " + supernet.checkpoint_id() + " (as asked; it has " +
                tuned->key.fidelity + ")";
    }
  } else {
    weights = "inherited from supernet " + supernet.checkpoint_id() + " (never fine-tuned)";
  }
  OnnxModel model;
  if (finetune_id) {
    try {
      model = supernet.export_finetuned_onnx(decoded, *finetune_id, options, precision,
                                             stored.config.evaluator.supernet.quantization);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + "; or pass --inherited for the supernet's weights");
    }
  } else {
    model = supernet.export_onnx(decoded, options, stored.config.evaluator.supernet, precision);
  }
  const std::string path =
      command.output_path.empty() ? arch_id + ".onnx" : command.output_path;
  write_model_file(path, model.bytes);
  std::string shape;
  for (std::size_t i = 0; i < model.input_shape.size(); ++i) {
    shape += (i ? "x" : "") + std::to_string(model.input_shape[i]);
  }
  std::string numbers = "fp32";
  for (const auto& [key, value] : model.metadata) {
    if (key == "nas.precision") numbers = value;
  }
  std::printf("wrote %s: arch %s of run %lld, input %s, %zu bytes, %s; weights %s\n",
              path.c_str(), arch_id.c_str(), static_cast<long long>(run_id), shape.c_str(),
              model.bytes.size(), numbers.c_str(), weights.c_str());
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
  app->add_option("--precision", command->precision,
                  "fp32 (default), or int8: a QDQ file calibrated on the training images as "
                  "the run's evaluator/quantization says");
  app->add_flag("--inherited", command->inherited,
                "The supernet's weights, even where the arch was fine-tuned");
  return {app, [command, run_id, run] {
            if (*run) command->run_id = *run_id;
            return export_command(*command);
          }};
}

}  // namespace nas::cli

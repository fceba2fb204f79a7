// `nas finetune STORE --arch ID [--epochs N] [--lr X] [--distill W]`: trains a
// stored subnet on its own with distillation from the supernet's largest
// subnet (supernet/finetune.h), resumable, prints its test accuracy before
// and after, and stores the fine-tuned accuracies as source "finetuned".
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "cli/stored_subnet.h"
#include "cli/subcommand.h"
#include "core/errors.h"
#include "core/evaluation.h"
#include "results/store.h"
#include "supernet/finetune.h"

namespace nas::cli {
namespace {

struct FinetuneCommand {
  std::string store_path;
  std::string arch_id;
  std::optional<std::int64_t> run_id;
  FinetuneOptions plan;
};

// The finished fine-tune's accuracies as the store keeps them: the fidelity
// names the fine-tune (its weights file), the note what it started from.
std::vector<Evaluation> finetuned_values(const FinetuneResult& result, const FinetuneOptions& plan,
                                         double inherited_test_acc) {
  const std::string note = fmt::format(
      "{} epochs from inherited weights (test_acc {:.4f}), lr {}, distillation weight {}",
      result.epochs_done, inherited_test_acc, plan.lr, plan.distill_weight);
  std::vector<Evaluation> values;
  for (const auto& [metric, value] : {std::pair{"val_acc", result.val_acc},
                                      std::pair{"test_acc", result.test_acc}}) {
    Evaluation e;
    e.key.metric = metric;
    e.key.source = Source::kFinetuned;
    e.key.fidelity = finetune_fidelity(result.id);
    e.value = value;
    e.note = note;
    values.push_back(std::move(e));
  }
  return values;
}

int finetune_command(const FinetuneCommand& command) {
  validate(command.plan);
  Store store = Store::open(command.store_path, StoreMode::kReadWrite);
  StoredSubnet stored = load_stored_subnet(store, command.arch_id, command.run_id);
  Supernet& supernet = *stored.supernet;
  const SupernetEvaluatorOptions& scoring = stored.config.evaluator.supernet;
  const double inherited = supernet.accuracy(stored.arch, Split::kTest, scoring);
  const std::string id = supernet.finetune_id(stored.arch, command.plan);
  spdlog::info("arch {} of run {}: test accuracy {:.4f} with inherited weights; fine-tune {} "
               "({} epochs, lr {}, distillation weight {}) in {}",
               stored.arch_id, stored.run_id, inherited, id, command.plan.epochs,
               command.plan.lr, command.plan.distill_weight, supernet.finetune_weights_path(id));
  std::int64_t last_logged = -1;
  const FinetuneResult result =
      supernet.finetune(stored.arch, command.plan, scoring, [&](const FinetuneProgress& p) {
        if (p.val_acc) {
          spdlog::info("fine-tune epoch {}/{}: loss {:.4f}, validation accuracy {:.4f}, {:.0f} images/s",
                       p.epoch, p.epochs, p.loss, *p.val_acc, p.images_per_second);
        } else if (p.step % 100 == 0 && p.step != last_logged) {
          last_logged = p.step;
          spdlog::info("fine-tune epoch {}/{}, step {}/{}: loss {:.4f}, lr {:.5f}, {:.0f} images/s",
                       p.epoch, p.epochs, p.step, p.steps, p.loss, p.learning_rate,
                       p.images_per_second);
        }
      });
  if (result.epochs_trained_now == 0) {
    spdlog::info("fine-tune {} was finished already: nothing trained", result.id);
  }
  if (!result.finished || !result.test_acc) {
    throw Error("fine-tune " + result.id + " stopped after " + std::to_string(result.epochs_done) +
                " of " + std::to_string(command.plan.epochs) +
                " epochs; run the same `nas finetune` again to finish it");
  }
  const std::int64_t added = store.record_finetuned(
      stored.run_id, stored.arch_id, finetuned_values(result, command.plan, inherited));
  spdlog::info("{} fine-tuned accuracies stored in {} (source finetuned, fidelity {})", added,
               store.path(), finetune_fidelity(result.id));
  std::printf("arch %s: test accuracy %.4f inherited, %.4f fine-tuned (%lld epochs, %.0f s "
              "this call); weights %s\n",
              stored.arch_id.c_str(), inherited, *result.test_acc,
              static_cast<long long>(result.epochs_done), result.seconds,
              result.weights_path.c_str());
  return 0;
}

}  // namespace

Subcommand add_finetune_command(CLI::App& nas) {
  auto command = std::make_shared<FinetuneCommand>();
  auto run_id = std::make_shared<std::int64_t>(0);
  CLI::App* app = nas.add_subcommand(
      "finetune", "Train a stored subnet on its own, distilled from the supernet's largest");
  app->add_option("store", command->store_path, "SQLite fitness store")->required();
  app->add_option("--arch", command->arch_id,
                  "Architecture id, or its mbv3 notation as the report prints it")
      ->required();
  app->add_option("--epochs", command->plan.epochs, "Epochs (default 3)");
  app->add_option("--lr", command->plan.lr, "Peak learning rate, cosine to 0 (default 0.01)");
  app->add_option("--distill", command->plan.distill_weight,
                  "Weight of the distillation loss beside the labels' (default 1; 0: labels only)");
  CLI::Option* run = app->add_option(
      "--run", *run_id, "Rebuild from this run's configuration (default: the latest that queried it)");
  return {app, [command, run_id, run] {
            if (*run) command->run_id = *run_id;
            return finetune_command(*command);
          }};
}

}  // namespace nas::cli

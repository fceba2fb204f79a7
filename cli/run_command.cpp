#include <CLI/CLI.hpp>
#include <memory>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/dashboard_command.h"
#include "cli/farm_session.h"
#include "cli/host_work_log.h"
#include "cli/progress.h"
#include "cli/subcommand.h"
#include "cli/training_ranks.h"
#include "cli/wiring.h"
#include "core/config.h"
#include "core/errors.h"
#include "results/report.h"
#include "results/run_journal.h"
#include "results/store.h"
#include "search/search_loop.h"
#include "supernet/supernet.h"

namespace nas::cli {
namespace {

// Trains the run's supernet, or loads its checkpoint, with a progress line
// (images, images/s, ETA) and its progress kept in the store for the
// dashboard and reports: every epoch's end, and a step at most every two
// seconds. Returns the seconds spent.
double prepare_supernet(Supernet& supernet, TrainingRanks& ranks, bool quiet, Store& store,
                        std::int64_t run_id, std::int64_t session_id) {
  log_training_start(supernet, ranks.rank());
  Progress progress("images", supernet.training_images_total(), !quiet && !supernet.trained());
  auto last_written = std::chrono::steady_clock::time_point{};
  const double started = unix_now_seconds();
  const TrainSummary summary = ranks.train(supernet, [&](const TrainProgress& p) {
    progress.update(p.images_done, p.images_resumed);
    const auto now = std::chrono::steady_clock::now();
    if (p.epoch_end || now - last_written >= std::chrono::seconds(2)) {
      store.record_training(run_id, session_id, p);
      last_written = now;
    }
  });
  progress.finish();
  if (summary.epochs_trained_now > 0) log_host_work("training", started, unix_now_seconds());
  log_training_end(supernet, summary);
  return summary.seconds;
}

// Evaluates the front on the final metrics (the test split), stored values
// first; returns the seconds spent.
double evaluate_front(const std::vector<FrontMember>& front, const RunPieces& pieces,
                      Journal& journal) {
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& metric : pieces.final_metrics) {
    const EvaluationKey key = pieces.evaluator->key(metric);
    for (const FrontMember& member : front) {
      std::optional<Evaluation> value;
      for (const Evaluation& e : journal.find(member.arch_id)) {
        if (e.key == key) value = e;
      }
      if (!value) {
        value = pieces.evaluator->evaluate(member.arch, metric);
        journal.record(pieces.space, member.arch, {*value});
      }
      std::string objectives;
      for (const Evaluation& e : member.objectives) {
        if (e.value) objectives += fmt::format(" {}={:.6g}", e.key.metric, *e.value);
      }
      spdlog::info("front {}: {}={}{}", member.arch_id, metric,
                   value->value ? fmt::format("{:.4f}", *value->value) : "n/a (" + value->note + ")",
                   objectives);
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Picks the run this invocation works on: a new one, or the one --resume
// continues. Refuses what would silently mix two configurations.
std::int64_t select_run(Store& store, const RunConfig& config, const RunCommand& command) {
  const auto cut_off = store.find_resumable_run(config.name);
  if (command.resume) {
    if (!cut_off) {
      throw UsageError("store " + store.path() + ": no unfinished run named '" + config.name +
                       "' to resume; run without --resume to start one");
    }
    if (cut_off->config_hash != config.hash) {
      throw UsageError("store " + store.path() + ": run " + std::to_string(cut_off->id) + " ('" +
                       config.name + "') was started with another configuration (hash " +
                       cut_off->config_hash + ", now " + config.hash +
                       "); resume it with its own configuration, or start anew with --new-run");
    }
    spdlog::info("resuming run {} ('{}') in {}", cut_off->id, config.name, store.path());
    return cut_off->id;
  }
  if (cut_off && !command.new_run) {
    throw UsageError("store " + store.path() + ": run " + std::to_string(cut_off->id) + " ('" +
                     config.name + "') was cut off; continue it with --resume, or start anew "
                     "with --new-run (the cut-off run stays stored)");
  }
  RunInfo info;
  info.name = config.name;
  info.config_json = config.document.dump();
  info.config_hash = config.hash;
  info.code_version = NAS_CODE_VERSION;
  info.seed = config.seed;
  info.strategy = config.search.strategy;
  const std::int64_t id = store.begin_run(info);
  spdlog::info("run {} ('{}'): {} over {}, budget {}, store {}", id, config.name,
               config.search.strategy, config.space.type, config.search.budget, store.path());
  return id;
}

}  // namespace

int run_command(const RunCommand& command) {
  RunConfig config = load_config(command.config_path);
  if (!command.store_path.empty()) config.store = command.store_path;
  if (command.resume && command.new_run) {
    throw UsageError("--resume and --new-run exclude each other");
  }
  TrainingRanks ranks(config.supernet.training, command.config_path, run_command_rank(),
                      "the run is cut off: `nas run " + command.config_path +
                          " --resume` continues it from the last checkpoint");
  // The farm comes first: wiring needs its address.
  FarmSession farm(config.farm, static_cast<int>(config.evaluator.supernet.latency.threads));
  RunPieces pieces = wire_run(config, &farm);

  const auto store_dir = std::filesystem::path(config.store).parent_path();
  if (!store_dir.empty()) std::filesystem::create_directories(store_dir);
  Store store = Store::open(config.store, StoreMode::kReadWrite);
  const std::int64_t run_id = select_run(store, config, command);
  const std::int64_t session_id = store.begin_session(run_id);
  RunJournal journal(store, run_id, session_id);
  // Started once the run's row exists, so the page has a run to show while
  // the supernet trains; destroyed before the farm it asks for runners.
  std::unique_ptr<Dashboard> dashboard;
  if (command.dashboard_port) {
    dashboard = start_run_dashboard(config.store, *command.dashboard_port, command.dashboard_bind,
                                    config.farm, farm.endpoint());
  }
  const double training_seconds =
      pieces.supernet ? prepare_supernet(*pieces.supernet, ranks, command.quiet, store, run_id,
                                         session_id)
                      : 0.0;
  // The search's cost in reports: training done by this session (0 when a
  // trained checkpoint was loaded).
  if (pieces.supernet) store.record_supernet(run_id, training_seconds, pieces.supernet->device());

  auto strategy = wire_strategy(config, pieces.space);
  LoopOptions options;
  options.budget = config.search.budget;
  const std::size_t boards = farm_boards(pieces);
  options.batch = batch_size(config.search, boards);
  if (boards > 0) {
    spdlog::info("farm: up to {} boards per device key; {} candidates per step", boards,
                 options.batch);
  }
  SearchLoop loop(pieces.space, *strategy, *pieces.evaluator, journal, config.objectives,
                  config.constraints, options);

  Progress progress("queries", config.search.budget, !command.quiet);
  std::int64_t first_queries = -1;
  loop.on_progress([&](const LoopStats& stats) {
    if (first_queries < 0) first_queries = stats.queries - 1;
    progress.update(stats.queries, stats.resumed ? std::max<std::int64_t>(first_queries, 0) : 0);
  });
  const auto start = std::chrono::steady_clock::now();
  const LoopResult result = loop.run();
  progress.finish();
  const double search_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i = 0; i < pieces.screens.size(); ++i) {
    const ScreeningStats& s = pieces.screens[i]->stats();
    spdlog::info("screening {}: {} measured during the search (budget {}), {} predicted, "
                 "{} front members measured to confirm, {} measurements failed ({} during the "
                 "search, {} confirming), {} predicted to fail and not measured",
                 config.screening[i].metric, s.measured, config.screening[i].budget, s.predicted,
                 s.confirmations, s.failed, s.failed - s.failed_confirmations,
                 s.failed_confirmations, s.predicted_to_fail);
  }
  if (pieces.gate) {
    spdlog::info("structural check: {} candidates compute nothing, excluded without a job",
                 pieces.gate->excluded());
  }
  if (result.stats.unconfirmed > 0) {
    spdlog::info("{} front members predicted to fail were left out unmeasured",
                 result.stats.unconfirmed);
  }
  for (const DeviceSpend& d : store.measurement_spend(run_id)) {
    spdlog::info("{} {}: {} during the search, {} confirming the front, {} wasted on failures",
                 d.from_table ? "values from the table of" : "measurements on", d.device, d.search,
                 d.confirmations, d.failed);
  }
  const double final_seconds = evaluate_front(result.front, pieces, journal);
  if (pieces.supernet) {
    spdlog::info("time: training {:.0f}s, search {:.2f}s, final evaluation {:.0f}s",
                 training_seconds, search_seconds, final_seconds);
  }

  std::vector<std::string> front_ids;
  for (const auto& member : result.front) front_ids.push_back(member.arch_id);
  store.write_front(run_id, front_ids);
  store.finish_run(run_id);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info("run {} finished: {} queries ({} evaluated now, {} values from the store), "
               "{} excluded, front of {}, {:.2f}s{}",
               run_id, result.stats.queries, result.stats.evaluator_calls,
               result.stats.cache_hits, result.stats.excluded, result.front.size(), seconds,
               result.stats.exhausted ? " (search space exhausted before the budget)" : "");
  if (!command.quiet) {
    const std::string text = render_report(store, run_id, ReportFormat::kMarkdown);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return 0;
}

Subcommand add_run_command(CLI::App& nas) {
  auto command = std::make_shared<RunCommand>();
  auto dashboard_port = std::make_shared<int>(0);
  CLI::App* app = nas.add_subcommand("run", "Search as a configuration says and report the front");
  app->add_option("config", command->config_path, "Run configuration (JSON)")->required();
  app->add_option("--store", command->store_path, "SQLite store (overrides the config's \"store\")");
  app->add_flag("--resume", command->resume, "Continue the run of this name that was cut off");
  app->add_flag("--new-run", command->new_run,
                "Start a new run even if one of this name was cut off");
  app->add_flag("-q,--quiet", command->quiet, "No progress line and no report on stdout");
  CLI::Option* dashboard =
      app->add_option("--dashboard", *dashboard_port,
                      "Serve a live dashboard of the run on this port (0: any free port)");
  app->add_option("--dashboard-bind", command->dashboard_bind,
                  "The dashboard's address (default 127.0.0.1: this machine only)");
  return {app, [command, dashboard_port, dashboard] {
            if (*dashboard) command->dashboard_port = *dashboard_port;
            return run_command(*command);
          }};
}

}  // namespace nas::cli

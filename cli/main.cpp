// `nas`: the command line. Parses arguments with CLI11 and calls the
// commands; turns every error into one line on stderr and an exit status
// (2 for a bad configuration or bad usage, 1 for any other failure).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/farm_commands.h"
#include "core/errors.h"
#include "core/heap_policy.h"
#ifdef NAS_WITH_SEARCH
#include "cli/commands.h"
#include "cli/dashboard_command.h"
#include "cli/export_command.h"
#endif

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  // Training and timed runs reuse freed tensor memory instead of faulting it
  // in again at every step (core/heap_policy.h).
  nas::keep_freed_memory_in_heap();
  // Logs go to stderr, so reports on stdout can be redirected cleanly.
  auto logger = spdlog::stderr_color_mt("nas");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%^[%H:%M:%S %l]%$ %v");

  CLI::App app{"nas: hardware-aware neural architecture search with real devices in the loop"};
  app.set_version_flag("--version", std::string(NAS_CODE_VERSION));
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log debug detail");

  nas::cli::RunnerCommand runner;
  auto* runner_cmd = app.add_subcommand("runner", "Measure jobs from a broker on this board");
  runner_cmd->add_option("--connect", runner.connect, "Broker address, e.g. tcp://ws:5555")
      ->required();
  runner_cmd->add_option("--device", runner.device, "Device key, e.g. jetson-nano")->required();
  runner_cmd->add_option("--backend", runner.backend, "torch, command or sleep (synthetic)")
      ->check(CLI::IsMember({"torch", "command", "sleep"}));
  runner_cmd->add_option("--meter", runner.meter,
                         "none, rapl[:DIR], ina3221[:DIR] or um25c:SERIAL_DEVICE");
  runner_cmd->add_option("--threads", runner.threads, "Intra-op threads (torch backend)");
  runner_cmd->add_option("--torch-device", runner.torch_device,
                         "torch backend: where the network runs, cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  runner_cmd->add_option("--id", runner.runner_id, "Runner name (default: host-pid)");
  runner_cmd->add_option("--pipeline", runner.pipeline, "command backend: pipeline JSON file");
  runner_cmd->add_option("--sleep-ms", runner.sleep_ms, "sleep backend: milliseconds per job");
  runner_cmd->add_option("--broker-key", runner.broker_key, "CURVE: the broker's public key file");
  runner_cmd->add_option("--keys", runner.keys, "CURVE: this runner's .key_secret file");
  runner_cmd->add_option("--heartbeat", runner.heartbeat_seconds, "Heartbeat interval, seconds");
  runner_cmd->add_flag("--exit-with-parent", runner.exit_with_parent,
                       "End when the process that started this runner ends");

  nas::cli::BrokerCommand broker;
  auto* broker_cmd = app.add_subcommand("broker", "Serve a farm of runners to several searches");
  broker_cmd->add_option("--bind", broker.bind, "Address to bind (port 0: any free port)");
  broker_cmd->add_option("--keys", broker.keys, "CURVE: the broker's .key_secret file");
  broker_cmd->add_option("--authorized", broker.authorized_dir,
                         "CURVE: folder of authorized public keys (*.key)");
  broker_cmd->add_option("--heartbeat", broker.heartbeat_seconds, "Heartbeat interval, seconds");

  nas::cli::DevicesCommand devices;
  auto* devices_cmd = app.add_subcommand("devices", "List a broker's runners and their states");
  devices_cmd->add_option("--connect", devices.connect, "Broker address");
  devices_cmd->add_option("--broker-key", devices.broker_key, "CURVE: the broker's public key");
  devices_cmd->add_option("--keys", devices.keys, "CURVE: this client's .key_secret file");
  devices_cmd->add_flag("--json", devices.json, "Print the broker's listing as JSON");

  std::string keygen_dir = ".", keygen_name;
  auto* keygen_cmd = app.add_subcommand("keygen", "Make a CURVE key pair for a broker or runner");
  keygen_cmd->add_option("name", keygen_name, "Key name, e.g. broker or jetson-1")->required();
  keygen_cmd->add_option("--dir", keygen_dir, "Folder to write the key files to");

#ifdef NAS_WITH_SEARCH
  nas::cli::ExportCommand export_args;
  std::int64_t export_run = 0;
  auto* export_cmd = app.add_subcommand("export", "Write a stored subnet as a file to ship");
  export_cmd->add_option("store", export_args.store_path, "SQLite fitness store")->required();
  export_cmd->add_option("--arch", export_args.arch_id, "Architecture id")->required();
  export_cmd->add_option("--format", export_args.format, "onnx")
      ->check(CLI::IsMember({"onnx"}));
  export_cmd->add_option("-o,--output", export_args.output_path, "File (default: <arch id>.onnx)");
  auto* export_run_opt = export_cmd->add_option(
      "--run", export_run, "Rebuild from this run's configuration (default: the latest that queried it)");
  export_cmd->add_option("--batch", export_args.batch, "The input's fixed batch size (default 1)");
#endif

#ifdef NAS_WITH_SEARCH
  nas::cli::RunCommand run;
  auto* run_cmd = app.add_subcommand("run", "Search as a configuration says and report the front");
  run_cmd->add_option("config", run.config_path, "Run configuration (JSON)")->required();
  run_cmd->add_option("--store", run.store_path, "SQLite store (overrides the config's \"store\")");
  run_cmd->add_flag("--resume", run.resume, "Continue the run of this name that was cut off");
  run_cmd->add_flag("--new-run", run.new_run,
                    "Start a new run even if one of this name was cut off");
  run_cmd->add_flag("-q,--quiet", run.quiet, "No progress line and no report on stdout");
  int run_dashboard_port = 0;
  auto* run_dashboard_opt =
      run_cmd->add_option("--dashboard", run_dashboard_port,
                          "Serve a live dashboard of the run on this port (0: any free port)");
  run_cmd->add_option("--dashboard-bind", run.dashboard_bind,
                      "The dashboard's address (default 127.0.0.1: this machine only)");

  std::string validate_path;
  auto* validate_cmd = app.add_subcommand("validate", "Check a configuration without running it");
  validate_cmd->add_option("config", validate_path, "Run configuration (JSON)")->required();

  nas::cli::ReportCommand report;
  std::int64_t report_run = 0;
  auto* report_cmd = app.add_subcommand("report", "Print a store's fronts and run summaries");
  report_cmd->add_option("stores", report.store_paths, "SQLite fitness stores (side by side)")
      ->required();
  auto* run_opt = report_cmd->add_option("--run", report_run, "Only this run id");
  report_cmd->add_option("-f,--format", report.format, "md, csv, latex or json")
      ->check(CLI::IsMember({"md", "csv", "latex", "json"}));
  report_cmd->add_option("-o,--output", report.output_path, "Write to this file, not stdout");
  report_cmd->add_option("--device", report.device, "Only this device's latency and energy");
  report_cmd->add_option("--where", report.where,
                         "Keep front members where METRIC OP NUMBER holds, e.g. 'raspi4_ms<=15' "
                         "(OP: <= < >= > ==; repeatable)")
      ->allow_extra_args(false);
  report_cmd->add_option("--plot", report.plot_dir, "Write plots (SVG and PNG, via gnuplot) here");

  nas::cli::DashboardCommand dashboard;
  auto* dashboard_cmd =
      app.add_subcommand("dashboard", "Serve a store's runs, fronts and runners as a web page");
  dashboard_cmd->add_option("store", dashboard.store_path, "SQLite fitness store")->required();
  dashboard_cmd->add_option("--port", dashboard.port, "Port (default 8080; 0: any free port)");
  dashboard_cmd->add_option("--bind", dashboard.bind,
                            "Address to listen on (default 127.0.0.1: this machine only)");
  dashboard_cmd->add_option("--farm", dashboard.farm, "Broker whose runners to show");
  dashboard_cmd->add_option("--broker-key", dashboard.broker_key,
                            "CURVE: the broker's public key file");
  dashboard_cmd->add_option("--keys", dashboard.keys, "CURVE: this client's .key_secret file");

  nas::cli::LutBuildCommand lut;
  auto* lut_cmd = app.add_subcommand("lut", "Per-device block look-up tables");
  lut_cmd->require_subcommand(1);
  auto* lut_build_cmd =
      lut_cmd->add_subcommand("build", "Measure an mbv3 space's blocks on a device into the store");
  lut_build_cmd->add_option("--config", lut.config_path, "Run configuration with an mbv3 space")
      ->required();
  lut_build_cmd->add_option("--device", lut.device, "Device key (default: the config's farm device)");
  lut_build_cmd->add_option("--store", lut.store_path, "SQLite store (overrides the config's)");
  lut_build_cmd->add_option("--connect", lut.connect,
                            "External broker (default: embedded broker and a local CPU runner)");
  lut_build_cmd->add_option("--fit", lut.fit_subnets, "Whole subnets measured to fit the overhead");
  lut_build_cmd->add_option("--holdout", lut.holdout, "Other whole subnets measured to test it");
  lut_build_cmd->add_flag("-q,--quiet", lut.quiet, "No progress line");

  nas::cli::PredictorEvalCommand predictor;
  auto* predictor_cmd = app.add_subcommand("predictor", "Latency and energy predictors");
  predictor_cmd->require_subcommand(1);
  auto* predictor_eval_cmd = predictor_cmd->add_subcommand(
      "eval", "Held-out accuracy of the predictors on a store's measured values");
  predictor_eval_cmd->add_option("store", predictor.store_path, "SQLite fitness store")->required();
  predictor_eval_cmd->add_option("--device", predictor.device, "Device key")->required();
  predictor_eval_cmd->add_option("--metric", predictor.metric, "Metric (default: <device>_ms)");
  predictor_eval_cmd->add_option("--folds", predictor.folds, "Cross-validation folds");
  predictor_eval_cmd->add_option("--seed", predictor.seed, "Seed of the folds' shuffle");
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with status 0.
    const int status = app.exit(e);
    return status == 0 ? 0 : kExitUsage;
  }
  if (verbose) spdlog::set_level(spdlog::level::debug);

  try {
    if (*runner_cmd) return nas::cli::runner_command(runner);
    if (*broker_cmd) return nas::cli::broker_command(broker);
    if (*devices_cmd) return nas::cli::devices_command(devices);
    if (*keygen_cmd) return nas::cli::keygen_command(keygen_dir, keygen_name);
#ifdef NAS_WITH_SEARCH
    if (*export_cmd) {
      if (*export_run_opt) export_args.run_id = export_run;
      return nas::cli::export_command(export_args);
    }
#endif
#ifdef NAS_WITH_SEARCH
    if (*run_cmd) {
      if (*run_dashboard_opt) run.dashboard_port = run_dashboard_port;
      return nas::cli::run_command(run);
    }
    if (*dashboard_cmd) return nas::cli::dashboard_command(dashboard);
    if (*validate_cmd) return nas::cli::validate_command(validate_path);
    if (*report_cmd) {
      if (*run_opt) report.run_id = report_run;
      return nas::cli::report_command(report);
    }
    if (*lut_build_cmd) return nas::cli::lut_build_command(lut);
    if (*predictor_eval_cmd) return nas::cli::predictor_eval_command(predictor);
#endif
  } catch (const nas::ConfigError& e) {
    std::fprintf(stderr, "nas: %s\n", e.what());
    return kExitUsage;
  } catch (const nas::UsageError& e) {
    std::fprintf(stderr, "nas: %s\n", e.what());
    return kExitUsage;
  } catch (const nas::Error& e) {
    std::fprintf(stderr, "nas: %s\n", e.what());
    return kExitFailure;
  } catch (const std::exception& e) {
    // A third-party exception that escaped its boundary is our bug; still
    // one line, with what it said.
    std::fprintf(stderr, "nas: internal error: %s\n", e.what());
    return kExitFailure;
  }
  return kExitFailure;
}

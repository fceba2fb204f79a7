// How long `nas report` takes on a big store: fills a temporary store with
// one run over all 15,625 NB201 architectures measured on 64 devices
// (1,000,000 measurement rows, each linked from its evaluation, plus the
// accuracy, history and front), then times render_report in every format.
// Target: under 2 s per format.
#include <sqlite3.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/nb201_space.h"
#include "core/pareto.h"
#include "results/report.h"
#include "results/report_plots.h"
#include "results/store.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int kDevices = 64;
constexpr int kArchs = 15625;  // every NB201 cell: 15,625 x 64 = 1,000,000 measurements

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "bench_report_scale: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

struct Stmt {
  Stmt(sqlite3* db, const char* sql) : db_(db) { check(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), db, sql); }
  ~Stmt() { sqlite3_finalize(s); }
  void done() {
    check(sqlite3_step(s), db_, "step");
    sqlite3_reset(s);
  }
  sqlite3* db_;
  sqlite3_stmt* s = nullptr;
};

std::string device_name(int d) {
  char name[16];
  std::snprintf(name, sizeof name, "dev%02d", d);
  return name;
}

// Writes the run through raw SQL in one transaction: the store's own writer
// goes one architecture per transaction, which is right for a search and far
// too slow to fill a million rows.
void fill(const std::string& path) {
  const nas::SearchSpace space = nas::nb201_space();
  nlohmann::json config = {
      {"name", "scale"},
      {"space", {{"type", "nb201"}}},
      {"evaluator", {{"type", "tabular"}}},
      {"objectives",
       {{{"metric", "cifar10_test_acc"}, {"goal", "maximize"}},
        {{"metric", "dev00_ms"}, {"goal", "minimize"}},
        {{"metric", "dev01_ms"}, {"goal", "minimize"}}}},
      {"search", {{"strategy", "random"}, {"budget", kArchs}}}};
  std::int64_t run = 0;
  {
    nas::Store store = nas::Store::open(path, nas::StoreMode::kReadWrite);
    run = store.begin_run({"scale", config.dump(), "h", "bench", 1, "random"});
    store.begin_session(run);
  }
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", nullptr, nullptr, nullptr), db, "begin");
  Stmt arch_row(db, "INSERT INTO archs (id, space, canonical_json) VALUES (?, 'nb201', ?)");
  Stmt eval(db, "INSERT INTO evaluations (arch_id, metric, source, device, fidelity, value, run_id,"
                " session_id, created_at, measurement_id) VALUES (?, ?, ?, ?, ?, ?, 1, 1, 0, ?)");
  Stmt meas(db, "INSERT INTO measurements (arch_id, device, backend, protocol, runner, batch,"
                " threads, median_ms, p90_ms, mean_ms, std_ms, min_ms, samples_json, energy_mj,"
                " idle_watts, active_watts, environment_json, run_id, session_id, measured_at)"
                " VALUES (?, ?, 'torch', 'p', 'r1', 1, 4, ?, ?, ?, ?, ?, ?, ?, 3.5, 9.0,"
                " '{\"governors\":[\"performance\"]}', 1, 1, 0)");
  Stmt history(db, "INSERT INTO history (run_id, step, position, arch_id, new_query)"
                   " VALUES (1, ?, ?, ?, 1)");
  Stmt step(db, "INSERT INTO steps (run_id, step, session_id, queries, cache_hits,"
                " strategy_state, committed_at) VALUES (1, ?, 1, ?, 0, '{}', 0)");
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::string> ids;
  std::vector<nas::Point> points;  // minimisation form: -acc, dev00, dev01
  std::string samples = "[";
  for (int i = 0; i < 50; ++i) samples += (i ? "," : "") + std::to_string(10 + 0.01 * i);
  samples += "]";
  std::int64_t measurement_id = 0;
  for (int a = 0; a < kArchs; ++a) {
    const nas::Arch arch{{a % 5, a / 5 % 5, a / 25 % 5, a / 125 % 5, a / 625 % 5, a / 3125 % 5}};
    const std::string id = space.id(arch);
    ids.push_back(id);
    sqlite3_bind_text(arch_row.s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    const std::string canonical = space.canonical_json(arch);
    sqlite3_bind_text(arch_row.s, 2, canonical.c_str(), -1, SQLITE_TRANSIENT);
    arch_row.done();
    const double accuracy = 70 + 25 * unit(gen);
    const double base = 5 + 45 * unit(gen);
    sqlite3_bind_text(eval.s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(eval.s, 2, "cifar10_test_acc", -1, SQLITE_STATIC);
    sqlite3_bind_text(eval.s, 3, "tabular", -1, SQLITE_STATIC);
    sqlite3_bind_text(eval.s, 4, "", -1, SQLITE_STATIC);
    sqlite3_bind_text(eval.s, 5, "nb201", -1, SQLITE_STATIC);
    sqlite3_bind_double(eval.s, 6, accuracy);
    sqlite3_bind_null(eval.s, 7);
    eval.done();
    nas::Point p{nas::to_minimised(nas::Goal::kMaximize, accuracy), 0, 0};
    for (int d = 0; d < kDevices; ++d) {
      const std::string device = device_name(d);
      const double median = base * (0.5 + d * 0.05) * (0.9 + 0.2 * unit(gen));
      if (d < 2) p[1 + d] = median;
      sqlite3_bind_text(meas.s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(meas.s, 2, device.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(meas.s, 3, median);
      sqlite3_bind_double(meas.s, 4, median * 1.05);
      sqlite3_bind_double(meas.s, 5, median * 1.01);
      sqlite3_bind_double(meas.s, 6, median * 0.02);
      sqlite3_bind_double(meas.s, 7, median * 0.97);
      sqlite3_bind_text(meas.s, 8, samples.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_double(meas.s, 9, median * 2.5);
      meas.done();
      ++measurement_id;
      const std::string metric = device + "_ms";
      sqlite3_bind_text(eval.s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(eval.s, 2, metric.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(eval.s, 3, "measured", -1, SQLITE_STATIC);
      sqlite3_bind_text(eval.s, 4, device.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(eval.s, 5, "p", -1, SQLITE_STATIC);
      sqlite3_bind_double(eval.s, 6, median);
      sqlite3_bind_int64(eval.s, 7, measurement_id);
      eval.done();
    }
    points.push_back(p);
    const int s = a / 100 + 1;
    if (a % 100 == 0) {
      sqlite3_bind_int(step.s, 1, s);
      sqlite3_bind_int(step.s, 2, std::min(kArchs, a + 100));
      step.done();
    }
    sqlite3_bind_int(history.s, 1, s);
    sqlite3_bind_int(history.s, 2, a % 100);
    sqlite3_bind_text(history.s, 3, id.c_str(), -1, SQLITE_TRANSIENT);
    history.done();
  }
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_close(db);

  // The run's front over its three objectives.
  std::vector<std::string> front;
  for (std::size_t i : nas::non_dominated(points)) front.push_back(ids[i]);
  nas::Store store = nas::Store::open(path, nas::StoreMode::kReadWrite);
  store.write_front(run, front);
  store.finish_run(run);
  std::printf("front: %zu architectures\n", front.size());
}

}  // namespace

int main() {
  const fs::path dir = fs::temp_directory_path() / ("nas_bench_report_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "scale.db").string();
  const auto fill_start = Clock::now();
  fill(path);
  std::printf("filled %s: %d archs, %d measurements, %d evaluations in %.1f s (%.1f MB)\n",
              path.c_str(), kArchs, kArchs * kDevices, kArchs * (kDevices + 1),
              seconds_since(fill_start), static_cast<double>(fs::file_size(path)) / 1e6);

  nas::Store store = nas::Store::open(path, nas::StoreMode::kReadOnly);
  const std::pair<const char*, nas::ReportFormat> formats[] = {
      {"markdown", nas::ReportFormat::kMarkdown},
      {"csv", nas::ReportFormat::kCsv},
      {"latex", nas::ReportFormat::kLatex},
      {"json", nas::ReportFormat::kJson}};
  for (const auto& [name, format] : formats) {
    nas::ReportOptions options;
    options.format = format;
    double best = 1e9;
    std::size_t bytes = 0;
    for (int repeat = 0; repeat < 3; ++repeat) {
      const auto start = Clock::now();
      bytes = nas::render_report({&store}, options).size();
      best = std::min(best, seconds_since(start));
    }
    std::printf("render_report %-8s  %7.3f s  (best of 3, %zu bytes)  target < 2 s\n", name,
                best, bytes);
  }
  {
    nas::ReportOptions options;
    options.device = "dev00";
    options.where.push_back(nas::parse_where("dev00_ms<=20"));
    const auto start = Clock::now();
    const std::size_t bytes = nas::render_report({&store}, options).size();
    std::printf("render_report markdown --device dev00 --where dev00_ms<=20  %7.3f s  (%zu bytes)\n",
                seconds_since(start), bytes);
  }
  {
    const auto start = Clock::now();
    const auto plots = nas::report_plots({&store}, nas::ReportOptions{});
    std::printf("report_plots (data of %zu plots, hypervolume over %d queries)  %7.3f s\n",
                plots.size(), kArchs, seconds_since(start));
  }
  fs::remove_all(dir);
  return 0;
}

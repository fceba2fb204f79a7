// Reports over several devices and stores, with --device, --where and JSON.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "results/report.h"
#include "results/run_journal.h"
#include "test_util.h"

namespace nas {
namespace {

using test::TempDir;

const char* kThreeObjectives = R"({
  "name": "two_devices",
  "seed": 3,
  "space": {"type": "nb201"},
  "evaluator": {"type": "tabular"},
  "objectives": [
    {"metric": "cifar10_test_acc", "goal": "maximize"},
    {"metric": "raspi4_ms", "goal": "minimize"},
    {"metric": "pixel3_ms", "goal": "minimize"}
  ],
  "search": {"strategy": "nsga2", "budget": 50}
})";

Evaluation tabular(const std::string& metric, double value) {
  Evaluation e;
  e.key = {metric, Source::kTabular, "", "nb201"};
  if (metric.size() > 3 && metric.substr(metric.size() - 3) == "_ms") {
    e.key.device = metric.substr(0, metric.size() - 3);
  }
  e.value = value;
  return e;
}

// Three members no one of which beats another on all three objectives; on
// raspi4 alone C loses to B, on pixel3 alone B loses to A. A's raspi4
// latency was also measured, with its spread.
struct TwoDevices {
  TempDir dir;
  std::string path = dir.file("two.db");
  SearchSpace space = nb201_space();
  Arch a = test::nb201_arch(11), b = test::nb201_arch(12), c = test::nb201_arch(13);

  // `tool_missing`: figures the measuring tool did not report (a command
  // backend's environment.tool.missing).
  explicit TwoDevices(const std::string& name = "two_devices", double raspi4_std_ms = 0.25,
                      const std::vector<std::string>& tool_missing = {}) {
    Store store = Store::open(path, StoreMode::kReadWrite);
    nlohmann::json config = nlohmann::json::parse(kThreeObjectives);
    config["name"] = name;
    const auto run = store.begin_run(test::run_info(name, config.dump()));
    RunJournal journal(store, run, store.begin_session(run));
    journal.record(space, a, {tabular("cifar10_test_acc", 90), tabular("raspi4_ms", 50),
                              tabular("pixel3_ms", 5)});
    journal.record(space, b, {tabular("cifar10_test_acc", 85), tabular("raspi4_ms", 10),
                              tabular("pixel3_ms", 20)});
    journal.record(space, c, {tabular("cifar10_test_acc", 80), tabular("raspi4_ms", 20),
                              tabular("pixel3_ms", 4)});
    auto m = std::make_shared<MeasurementRecord>();
    m->device = "raspi4";
    m->protocol = "p1";
    m->median_ms = 49;
    m->p90_ms = 49.4;
    m->mean_ms = 49.1;
    m->std_ms = raspi4_std_ms;
    m->min_ms = 48.7;
    if (!tool_missing.empty()) m->environment["tool"] = {{"tool", "trtexec"}, {"missing", tool_missing}};
    Evaluation e;
    e.key = {"raspi4_ms", Source::kMeasured, "raspi4", "p1"};
    e.value = 49;
    e.measurement = m;
    journal.record(space, a, {e});
    StepRecord step;
    step.step = 1;
    step.queries = 3;
    step.strategy_state = nlohmann::json::object();
    step.entries = {{space.id(a), {}, true}, {space.id(b), {}, true}, {space.id(c), {}, true}};
    journal.commit_step(step);
    store.write_front(run, {space.id(a), space.id(b), space.id(c)});
    store.finish_run(run);
  }
};

std::string render(const Store& store, ReportFormat format, const std::string& device = "",
                   const std::vector<std::string>& where = {}) {
  ReportOptions options;
  options.format = format;
  options.device = device;
  for (const std::string& w : where) options.where.push_back(parse_where(w));
  return render_report({&store}, options);
}

TEST_CASE("objectives on two devices: a front per device and the front across devices") {
  TwoDevices f;
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string md = render(store, ReportFormat::kMarkdown);
  CHECK(md.find("Pareto front: 3 architectures") != std::string::npos);
  const auto raspi = md.find("### Pareto front on raspi4: 2 architectures");
  const auto pixel = md.find("### Pareto front on pixel3: 2 architectures");
  REQUIRE(raspi != std::string::npos);
  REQUIRE(pixel != std::string::npos);
  // raspi4's front is {A, B}: C is not in its section.
  const std::string raspi_part = md.substr(raspi, pixel - raspi);
  CHECK(raspi_part.find(f.space.id(f.a)) != std::string::npos);
  CHECK(raspi_part.find(f.space.id(f.b)) != std::string::npos);
  CHECK(raspi_part.find(f.space.id(f.c)) == std::string::npos);
  CHECK(md.find("### The front across devices") != std::string::npos);
  // The measured value wins over the table's, with its spread.
  CHECK(md.find("49.000 ± 0.250, p90 49.400 (measured)") != std::string::npos);

  const std::string tex = render(store, ReportFormat::kLatex);
  CHECK(tex.find("49.000 $\\pm$ 0.250, p90 49.400 (measured)") != std::string::npos);

  const auto rows = render(store, ReportFormat::kCsv);
  CHECK(rows.find("raspi4_ms_std") != std::string::npos);
  CHECK(rows.find(",0.25,49.4,") != std::string::npos);
}

TEST_CASE("a measured latency whose std is as large as its median is flagged as noisy") {
  TwoDevices f("two_devices", 55.0);
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string md = render(store, ReportFormat::kMarkdown);
  CHECK(md.find("49.000 ± 55.000, p90 49.400 [noisy: std >= median] (measured)") !=
        std::string::npos);
  const std::string tex = render(store, ReportFormat::kLatex);
  CHECK(tex.find("[noisy: std >= median]") != std::string::npos);
  TwoDevices clean;
  Store clean_store = Store::open(clean.path, StoreMode::kReadOnly);
  CHECK(render(clean_store, ReportFormat::kMarkdown).find("noisy") == std::string::npos);
}

TEST_CASE("a spread the measuring tool did not report is absent, not 0") {
  TwoDevices f("two_devices", 0.0, {"std_ms"});
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string md = render(store, ReportFormat::kMarkdown);
  CHECK(md.find("49.000, p90 49.400 (measured)") != std::string::npos);
  CHECK(md.find("49.000 ±") == std::string::npos);
  const nlohmann::json report = nlohmann::json::parse(render(store, ReportFormat::kJson));
  bool seen = false;
  for (const auto& member : report["runs"][0]["front"]) {
    const auto& value = member["values"]["raspi4_ms"];
    if (!value.contains("measurement")) continue;
    seen = true;
    CHECK_FALSE(value["measurement"].contains("std_ms"));
    CHECK(value["measurement"]["p90_ms"] == 49.4);
  }
  CHECK(seen);
  CHECK(render(store, ReportFormat::kCsv).find(",49.4,") != std::string::npos);
}

TEST_CASE("--device keeps one device's columns") {
  TwoDevices f;
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string md = render(store, ReportFormat::kMarkdown, "raspi4");
  CHECK(md.find("raspi4_ms (min)") != std::string::npos);
  CHECK(md.find("pixel3_ms") == std::string::npos);
  CHECK(md.find("### Pareto front on") == std::string::npos);  // one device left
  CHECK(md.find("### The front across devices") == std::string::npos);
}

TEST_CASE("--where keeps the members that meet every condition") {
  TwoDevices f;
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  // A's raspi4 latency is the measured 49 ms: it goes; B (10) and C (20) stay.
  const std::string md = render(store, ReportFormat::kMarkdown, "", {"raspi4_ms<=20"});
  CHECK(md.find("Pareto front: 2 architectures of 3 (filtered)") != std::string::npos);
  CHECK(md.find(f.space.id(f.a)) == std::string::npos);
  CHECK(md.find(f.space.id(f.b)) != std::string::npos);
  const std::string two = render(store, ReportFormat::kMarkdown, "",
                                 {"raspi4_ms <= 20", "cifar10_test_acc>82.5"});
  CHECK(two.find("Pareto front: 1 architecture of 3 (filtered)") != std::string::npos);
  CHECK(two.find(f.space.id(f.b)) != std::string::npos);
  CHECK_THROWS_WITH_AS(render(store, ReportFormat::kMarkdown, "", {"raspi5_ms<=20"}),
                       doctest::Contains("--where 'raspi5_ms<=20': no front member has a value"),
                       nas::UsageError);
}

TEST_CASE("bad --where expressions are refused with what is wrong") {
  CHECK_THROWS_WITH_AS(parse_where("raspi4_ms=<15"),
                       doctest::Contains("--where 'raspi4_ms=<15': unknown comparison '='"),
                       nas::UsageError);
  CHECK_THROWS_WITH_AS(parse_where("raspi4_ms<=fast"),
                       doctest::Contains("'fast' is not a number"), nas::UsageError);
  CHECK_THROWS_WITH_AS(parse_where("<=15"), doctest::Contains("no metric before '<='"),
                       nas::UsageError);
  CHECK_THROWS_WITH_AS(parse_where("raspi4_ms"), doctest::Contains("no comparison"),
                       nas::UsageError);
  CHECK_THROWS_WITH_AS(parse_where("raspi4_ms<"), doctest::Contains("no number after '<'"),
                       nas::UsageError);
  const WhereCondition w = parse_where(" raspi4_ms == 1.5e1 ");
  CHECK(w.metric == "raspi4_ms");
  CHECK(w.op == "==");
  CHECK(w.bound == 15.0);
  CHECK(w.holds(15.0));
  CHECK_FALSE(w.holds(14.0));
}

TEST_CASE("JSON report: every run, its front with sources and measurements") {
  TwoDevices f;
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const nlohmann::json j = nlohmann::json::parse(render(store, ReportFormat::kJson));
  REQUIRE(j["runs"].size() == 1);
  const auto& run = j["runs"][0];
  CHECK(run["name"] == "two_devices");
  REQUIRE(run["front"].size() == 3);
  const auto& a = run["front"][0];
  CHECK(a["arch_id"] == f.space.id(f.a));
  CHECK(a["values"]["raspi4_ms"]["source"] == "measured");
  CHECK(a["values"]["raspi4_ms"]["measurement"]["p90_ms"] == 49.4);
  CHECK_FALSE(a["values"]["raspi4_ms"]["measurement"].contains("energy_mj"));
  CHECK(a["values"]["pixel3_ms"]["source"] == "tabular");
  CHECK(run["device_fronts"]["raspi4"].size() == 2);
  CHECK(run["device_fronts"]["pixel3"].size() == 2);
  CHECK(run["cost"]["wall_seconds"].is_number());
  CHECK_FALSE(run["cost"].contains("supernet_seconds"));
  CHECK(report_format_from_string("json") == ReportFormat::kJson);
}

TEST_CASE("two stores side by side") {
  TwoDevices first("first_run"), second("second_run");
  Store one = Store::open(first.path, StoreMode::kReadOnly);
  Store two = Store::open(second.path, StoreMode::kReadOnly);
  ReportOptions options;
  const std::string md = render_report({&one, &two}, options);
  const auto compared = md.find("## Runs compared");
  REQUIRE(compared != std::string::npos);
  CHECK(md.find("best cifar10_test_acc") != std::string::npos);
  CHECK(md.find("## " + first.path + ", run 1: first_run") != std::string::npos);
  CHECK(md.find("## " + second.path + ", run 1: second_run") != std::string::npos);
  options.format = ReportFormat::kCsv;
  const std::string csv = render_report({&one, &two}, options);
  CHECK(csv.find(first.path + ",1,first_run") != std::string::npos);
  CHECK(csv.find(second.path + ",1,second_run") != std::string::npos);
  options.run_id = 2;
  CHECK_THROWS_WITH_AS(render_report({&one, &two}, options),
                       doctest::Contains("no store given has a run with id 2"), nas::UsageError);
}

}  // namespace
}  // namespace nas

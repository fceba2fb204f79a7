#include "results/report.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/nb201_space.h"
#include "core/space_registry.h"
#include "results/run_journal.h"
#include "test_util.h"

namespace nas {
namespace {

using test::TempDir;

const char* kConfig = R"({
  "name": "quick_start",
  "seed": 3,
  "space": {"type": "nb201"},
  "evaluator": {"type": "tabular"},
  "objectives": [
    {"metric": "cifar10_test_acc", "goal": "maximize"},
    {"metric": "raspi4_ms", "goal": "minimize"}
  ],
  "search": {"strategy": "nsga2", "budget": 50}
})";

Evaluation value_of(const std::string& metric, std::optional<double> value,
                    Source source = Source::kTabular) {
  Evaluation e;
  e.key.metric = metric;
  e.key.source = source;
  e.key.fidelity = "nb201";
  e.value = value;
  if (!value) e.note = "degenerate entry";
  return e;
}

// A finished run with three queried archs, one excluded, and a front of two.
struct ReportFixture {
  TempDir dir;
  std::string path = dir.file("report.db");
  SearchSpace space = nb201_space();
  Arch best = test::nb201_arch(1);
  Arch fast = test::nb201_arch(2);
  Arch broken = test::nb201_arch(3);
  std::int64_t run = 0;

  ReportFixture() {
    Store store = Store::open(path, StoreMode::kReadWrite);
    RunInfo info = test::run_info("quick_start", kConfig);
    run = store.begin_run(info);
    RunJournal journal(store, run, store.begin_session(run));
    journal.record(space, best,
                   {value_of("cifar10_test_acc", 93.3712), value_of("raspi4_ms", 54.77741)});
    journal.record(space, fast,
                   {value_of("cifar10_test_acc", 85.8633), value_of("raspi4_ms", 10.482)});
    // A predicted value as well: the report prefers the tabular one.
    journal.record(space, fast, {value_of("raspi4_ms", 9.9, Source::kPredicted)});
    journal.record(space, broken,
                   {value_of("cifar10_test_acc", std::nullopt), value_of("raspi4_ms", 3.0)});
    StepRecord step;
    step.step = 1;
    step.queries = 3;
    step.cache_hits = 1;
    step.strategy_state = {{"generation", 1}};
    step.entries = {{space.id(best), {}, true},
                    {space.id(fast), {}, true},
                    {space.id(broken), {}, true},
                    {space.id(best), {}, false}};
    journal.commit_step(step);
    store.write_front(run, {space.id(best), space.id(fast)});
    store.finish_run(run);
  }
};

// RFC 4180 lines into fields (quotes, doubled quotes, CRLF).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r') {
      continue;
    } else if (c == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      field += c;
    }
  }
  REQUIRE_FALSE(quoted);
  if (!field.empty() || !row.empty()) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

// A summary table line "| field   | value..." whatever the padding.
bool has_summary_row(const std::string& md, const std::string& field, const std::string& value) {
  std::istringstream lines(md);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| " + field + " ", 0) != 0) continue;
    const std::size_t bar = line.find('|', 1);
    if (bar != std::string::npos && line.compare(bar, value.size() + 2, "| " + value) == 0) {
      return true;
    }
  }
  return false;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

TEST_CASE("markdown report: front rows with sources, then the summary") {
  ReportFixture f;
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string md = render_report(store, std::nullopt, ReportFormat::kMarkdown);
  CHECK(md.find("## Run 1: quick_start") != std::string::npos);
  CHECK(md.find("Pareto front: 2 architectures") != std::string::npos);
  CHECK(md.find(f.space.id(f.best)) != std::string::npos);
  CHECK(md.find(f.space.id(f.fast)) != std::string::npos);
  CHECK(md.find(f.space.id(f.broken)) == std::string::npos);  // not on the front
  CHECK(md.find("93.37 (tabular)") != std::string::npos);
  CHECK(md.find("54.777 (tabular)") != std::string::npos);
  CHECK(md.find("10.482 (tabular)") != std::string::npos);
  CHECK(md.find("(predicted)") == std::string::npos);
  CHECK(md.find("cifar10_test_acc (max)") != std::string::npos);
  CHECK(md.find("raspi4_ms (min)") != std::string::npos);
  // The nb201 label, its pipes escaped for the table.
  std::string label;
  for (char c : arch_label(f.space, f.best)) label += c == '|' ? std::string("\\|") : std::string(1, c);
  CHECK(md.find(label) != std::string::npos);
  // The summary.
  CHECK(has_summary_row(md, "strategy", "nsga2"));
  CHECK(has_summary_row(md, "status", "finished"));
  CHECK(has_summary_row(md, "queries", "3"));
  // Three architectures, `fast` in two records: one call each.
  CHECK(has_summary_row(md, "evaluator calls", "3"));
  CHECK(has_summary_row(md, "cache hits", "1 (hit rate 25.0%)"));
  CHECK(has_summary_row(md, "excluded candidates", "1"));
  CHECK(has_summary_row(md, "seed", "7"));
  CHECK(md.find("0.1.0+test") != std::string::npos);
}

TEST_CASE("an accuracy measured after the search is shown beside the objectives, not ranked") {
  ReportFixture f;
  {
    Store store = Store::open(f.path, StoreMode::kReadWrite);
    RunJournal journal(store, f.run, store.begin_session(f.run));
    Evaluation test_acc = value_of("test_acc", 0.90937, Source::kSupernet);
    test_acc.key.fidelity = "checkpoint/bn10x128";
    journal.record(f.space, f.fast, {test_acc});
  }
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string md = render_report(store, std::nullopt, ReportFormat::kMarkdown);
  CHECK(md.find("test_acc (after search)") != std::string::npos);
  CHECK(md.find("0.9094 (supernet)") != std::string::npos);  // fractions get 4 decimals
  CHECK(md.find("Pareto front: 2 architectures") != std::string::npos);
  const std::string tex = render_report(store, std::nullopt, ReportFormat::kLatex);
  CHECK(tex.find("& test\\_acc") != std::string::npos);
  CHECK(tex.find("& test\\_acc $") == std::string::npos);  // no arrow: not an objective
}

TEST_CASE("CSV report parses with one column count throughout") {
  ReportFixture f;
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string csv = render_report(store, f.run, ReportFormat::kCsv);
  const auto rows = parse_csv(csv);
  REQUIRE(rows.size() == 3);  // header + two front members
  for (const auto& row : rows) CHECK(row.size() == rows[0].size());
  const auto& header = rows[0];
  CHECK(rows[1][column(header, "arch_id")] == f.space.id(f.best));
  CHECK(rows[2][column(header, "arch_id")] == f.space.id(f.fast));
  CHECK(rows[1][column(header, "arch")] == arch_label(f.space, f.best));
  CHECK(std::stod(rows[1][column(header, "cifar10_test_acc")]) == doctest::Approx(93.3712));
  CHECK(rows[1][column(header, "cifar10_test_acc_source")] == "tabular");
  CHECK(std::stod(rows[2][column(header, "raspi4_ms")]) == doctest::Approx(10.482));
  CHECK(rows[2][column(header, "raspi4_ms_source")] == "tabular");
  CHECK(rows[1][column(header, "run_name")] == "quick_start");
  CHECK(rows[1][column(header, "excluded")] == "1");
  CHECK(rows[1][column(header, "status")] == "finished");
}

TEST_CASE("CSV quotes fields with commas and quotes") {
  TempDir dir;
  const std::string path = dir.file("quote.db");
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    store.begin_run(test::run_info("a,\"b\"", kConfig));
  }
  Store store = Store::open(path, StoreMode::kReadOnly);
  const std::string csv = render_report(store, std::nullopt, ReportFormat::kCsv);
  CHECK(csv.find("\"a,\"\"b\"\"\"") != std::string::npos);
  const auto rows = parse_csv(csv);
  REQUIRE(rows.size() == 2);  // a run without a front still gets its line
  CHECK(rows[1].size() == rows[0].size());
  CHECK(rows[1][column(rows[0], "run_name")] == "a,\"b\"");
}

TEST_CASE("LaTeX report: booktabs rules and escaped specials") {
  ReportFixture f;
  Store store = Store::open(f.path, StoreMode::kReadOnly);
  const std::string tex = render_report(store, f.run, ReportFormat::kLatex);
  CHECK(tex.find("\\begin{tabular}{rllrr}") != std::string::npos);
  CHECK(tex.find("\\toprule") != std::string::npos);
  CHECK(tex.find("\\midrule") != std::string::npos);
  CHECK(tex.find("\\bottomrule") != std::string::npos);
  CHECK(tex.find("\\end{tabular}") != std::string::npos);
  CHECK(tex.find("\\documentclass") == std::string::npos);
  CHECK(tex.find("cifar10\\_test\\_acc") != std::string::npos);
  CHECK(tex.find("quick\\_start") != std::string::npos);
  CHECK(tex.find("93.37 (tabular)") != std::string::npos);
  CHECK(tex.find("\\textbar{}") != std::string::npos);
  // Every underscore and tilde is escaped.
  for (std::size_t i = tex.find('_'); i != std::string::npos; i = tex.find('_', i + 1)) {
    REQUIRE(i > 0);
    CHECK(tex[i - 1] == '\\');
  }
  CHECK(tex.find("~0") == std::string::npos);
  // Balanced environments: every begin has its end.
  std::size_t begins = 0;
  std::size_t ends = 0;
  for (std::size_t i = tex.find("\\begin{tabular}"); i != std::string::npos;
       i = tex.find("\\begin{tabular}", i + 1)) ++begins;
  for (std::size_t i = tex.find("\\end{tabular}"); i != std::string::npos;
       i = tex.find("\\end{tabular}", i + 1)) ++ends;
  CHECK(begins == 2);
  CHECK(ends == 2);
}

TEST_CASE("reports of an empty store, an unknown run, and an unreadable config") {
  TempDir dir;
  const std::string path = dir.file("empty.db");
  {
    Store store = Store::open(path, StoreMode::kReadWrite);
    CHECK(render_report(store, std::nullopt, ReportFormat::kMarkdown).find("No runs") !=
          std::string::npos);
    CHECK(parse_csv(render_report(store, std::nullopt, ReportFormat::kCsv)).size() == 1);
    CHECK_THROWS_WITH_AS(render_report(store, 42, ReportFormat::kMarkdown),
                         doctest::Contains("no run with id 42"), nas::UsageError);
    store.begin_run(test::run_info("odd", R"({"objectives": 3})"));
  }
  Store store = Store::open(path, StoreMode::kReadOnly);
  const std::string md = render_report(store, std::nullopt, ReportFormat::kMarkdown);
  CHECK(md.find("Front not shown: stored configuration cannot be read") != std::string::npos);
  CHECK(md.find("| status") != std::string::npos);
}

TEST_CASE("report formats by name") {
  CHECK(report_format_from_string("markdown") == ReportFormat::kMarkdown);
  CHECK(report_format_from_string("csv") == ReportFormat::kCsv);
  CHECK(report_format_from_string("latex") == ReportFormat::kLatex);
  CHECK_THROWS_AS(report_format_from_string("html"), nas::UsageError);
}

}  // namespace
}  // namespace nas

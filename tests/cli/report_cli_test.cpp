// `nas report` end to end: a real `nas run` into a temporary store, then the
// report as LaTeX compiled by pdflatex, the plots drawn by gnuplot and read
// back as XML, and bad arguments refused with one line.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "sqlite_peek.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

// A small NB201 search over two devices, so that the report has a front
// per device and the plot a series per device.
std::string write_config(const TempDir& dir) {
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["name"] = "report_e2e";
  c["objectives"].push_back({{"metric", "pixel3_ms"}, {"goal", "minimize"}});
  c["search"] = {{"strategy", "nsga2"}, {"budget", 60}, {"population", 12}};
  const auto path = dir / "report.json";
  write_file(path, c.dump(2));
  return path.string();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++n;
  return n;
}

// run_process does no PATH look-up: tools are found through the shell.
bool have(const std::string& program) {
  return run_process({"/bin/sh", "-c", "command -v " + program}).exit_code == 0;
}

TEST_CASE("a finished run's LaTeX report compiles and its SVG front has every member") {
  TempDir dir;
  const std::string db = (dir / "run.db").string();
  const auto run = run_process({nas_binary(), "run", write_config(dir), "--store", db, "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::int64_t front = query_int(db, "SELECT count(*) FROM front WHERE run_id = 1");
  REQUIRE(front > 0);

  // LaTeX, \input by a minimal document, compiled by pdflatex.
  const auto tex = run_process({nas_binary(), "report", db, "--format", "latex", "-o",
                                (dir / "t.tex").string()});
  REQUIRE_MESSAGE(tex.exit_code == 0, tex.err);
  CHECK(read_file(dir / "t.tex").find("Pareto front on pixel3") != std::string::npos);
  write_file(dir / "main.tex",
             "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
             "\\tiny\n\\input{t.tex}\n\\end{document}\n");
  REQUIRE_MESSAGE(have("pdflatex"),
                  "pdflatex is missing: install texlive-latex-base and texlive-latex-recommended");
  const auto pdf = run_process({"/bin/sh", "-c", "cd '" + dir.path().string() +
                                                "' && pdflatex -interaction=nonstopmode "
                                                "-halt-on-error main.tex"});
  REQUIRE_MESSAGE(pdf.exit_code == 0, pdf.out);
  CHECK(read_file(dir / "main.pdf").rfind("%PDF", 0) == 0);

  // The plots: SVG and PNG, the SVG well-formed XML.
  const auto plot = run_process({nas_binary(), "report", db, "--plot", (dir / "plots").string(),
                                 "-o", (dir / "r.md").string()});
  REQUIRE_MESSAGE(plot.exit_code == 0, plot.err);
  const std::string svg = read_file(dir / "plots" / "front.svg");
  REQUIRE_MESSAGE(have("xmllint"), "xmllint is missing: install libxml2-utils");
  const auto xml = run_process(
      {"/bin/sh", "-c", "xmllint --noout '" + (dir / "plots" / "front.svg").string() + "'"});
  CHECK_MESSAGE(xml.exit_code == 0, xml.err);
  // A panel per device, each with the front's block of the data file.
  const std::string dat = read_file(dir / "plots" / "front.dat");
  CHECK(count(dat, "# raspi4: front\n") == 1);
  CHECK(count(dat, "# pixel3: front\n") == 1);
  CHECK(count(svg, "<use xlink:href='#gpPt6'") >= 2);
  CHECK(read_file(dir / "plots" / "front.png").substr(1, 3) == "PNG");
  CHECK(read_file(dir / "plots" / "hypervolume.svg").find("<svg") != std::string::npos);

  // JSON and a filter through the command line.
  const auto json = run_process({nas_binary(), "report", db, "--format", "json", "--where",
                                 "raspi4_ms<=1e9", "--where", "cifar10_test_acc>=0"});
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  CHECK(nlohmann::json::parse(json.out)["runs"][0]["front"].size() ==
        static_cast<std::size_t>(front));
}

TEST_CASE("bad report arguments get one line and status 2") {
  TempDir dir;
  const std::string db = (dir / "run.db").string();
  const auto run = run_process({nas_binary(), "run", write_config(dir), "--store", db, "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const auto bad = run_process({nas_binary(), "report", db, "--where", "raspi4_ms=<15"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "nas: --where 'raspi4_ms=<15': unknown comparison '=' (expected METRIC OP "
                   "NUMBER with OP one of <= < >= > ==, e.g. 'raspi4_ms<=15')\n");
  const auto unknown = run_process({nas_binary(), "report", db, "--where", "raspi5_ms<1"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("no front member has a value of metric 'raspi5_ms'") != std::string::npos);
  // Two stores side by side: the same store twice compares a run with itself.
  const auto both = run_process({nas_binary(), "report", db, db});
  REQUIRE_MESSAGE(both.exit_code == 0, both.err);
  CHECK(both.out.find("## Runs compared") != std::string::npos);
}

}  // namespace
}  // namespace nas::test

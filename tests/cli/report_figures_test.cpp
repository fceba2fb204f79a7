// Every figure kind of `nas report --plot` (front, hypervolume per run and per
// group, predicted against measured latency), drawn by gnuplot from real runs,
// checked by structure: the SVG names its series and axes, the PNG has the
// single-column size (1050 x 788 per panel).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "sqlite_peek.h"
#include "tests/cli/shipped_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

// A run of the NB201 table into DIR/<stem>.db; `pixel3` adds a second device.
std::string run_nb201(const TempDir& dir, const std::string& stem, const std::string& strategy,
                      int seed, bool pixel3) {
  nlohmann::json c = shipped_config("nb201-raspi4");
  c["name"] = "figures";
  c["seed"] = seed;
  if (pixel3) c["objectives"].push_back({{"metric", "pixel3_ms"}, {"goal", "minimize"}});
  c["search"] = {{"strategy", strategy}, {"budget", 60}};
  if (strategy == "nsga2") c["search"]["population"] = 12;
  write_file(dir / (stem + ".json"), c.dump(2));
  const std::string db = (dir / (stem + ".db")).string();
  const auto run = run_process({nas_binary(), "run", (dir / (stem + ".json")).string(), "--store",
                                db, "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  return db;
}

// Width and height from the PNG's IHDR chunk.
std::pair<int, int> png_size(const std::string& bytes) {
  REQUIRE(bytes.size() > 24);
  REQUIRE(bytes.substr(1, 3) == "PNG");
  auto be32 = [&](std::size_t at) {
    int v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v * 256 + static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST_CASE("each figure kind renders: front with cloud, panels per device, hypervolume per run and per group") {
  TempDir dir;
  const std::string one = run_nb201(dir, "one", "nsga2", 1, false);
  const std::string two = run_nb201(dir, "two", "nsga2", 1, true);

  SUBCASE("one device: one panel, the cloud under the front's staircase") {
    const auto r = run_process({nas_binary(), "report", one, "--plot", (dir / "p1").string(),
                                "-o", (dir / "r.md").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const std::string svg = read_file(dir / "p1" / "front.svg");
    CHECK(has(svg, "all candidates"));
    CHECK(has(svg, ">front<"));
    CHECK(has(svg, "raspi4 latency (ms)"));
    CHECK(has(svg, "cifar10_test_acc"));
    const std::string gp = read_file(dir / "p1" / "front.gp");
    CHECK(has(gp, "with steps"));
    CHECK(has(gp, "set key below"));
    CHECK(png_size(read_file(dir / "p1" / "front.png")) == std::make_pair(1050, 788));
    const std::string hv = read_file(dir / "p1" / "hypervolume.svg");
    CHECK(has(hv, "queries"));
    CHECK(has(hv, "hypervolume"));
    CHECK(has(hv, ">figures<"));  // the run's name, not its store path
    CHECK(!has(hv, dir.path().string()));
    CHECK(png_size(read_file(dir / "p1" / "hypervolume.png")) == std::make_pair(1050, 788));
    CHECK(has(r.err, "hypervolume reference point"));
  }

  SUBCASE("two devices: a panel each, side by side") {
    const auto r = run_process({nas_binary(), "report", two, "--plot", (dir / "p2").string(),
                                "-o", (dir / "r.md").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const std::string svg = read_file(dir / "p2" / "front.svg");
    CHECK(has(svg, "raspi4 latency (ms)"));
    CHECK(has(svg, "pixel3 latency (ms)"));
    CHECK(has(read_file(dir / "p2" / "front.gp"), "set multiplot layout 1,2"));
    CHECK(png_size(read_file(dir / "p2" / "front.png")) == std::make_pair(2100, 788));
  }

  SUBCASE("a screened run: predicted against measured latency, with y = x") {
    nlohmann::json c = screened_nb201_config();
    write_file(dir / "screened.json", c.dump(2));
    const std::string db = (dir / "screened.db").string();
    const auto run = run_process({nas_binary(), "run", (dir / "screened.json").string(), "--store",
                                  db, "-q"});
    REQUIRE_MESSAGE(run.exit_code == 0, run.err);
    const auto r = run_process({nas_binary(), "report", db, "--plot", (dir / "p4").string(), "-o",
                                (dir / "r.md").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const std::string svg = read_file(dir / "p4" / "predicted_vs_measured.svg");
    CHECK(has(svg, "predicted latency (ms)"));
    CHECK(has(svg, "measured or table latency (ms)"));
    CHECK(has(svg, ">raspi4<"));
    CHECK(has(svg, "y = x"));
    CHECK(png_size(read_file(dir / "p4" / "predicted_vs_measured.png")) ==
          std::make_pair(1050, 788));
  }

  SUBCASE("--group-by strategy: mean and band per group, the final table, one reference point") {
    const std::string nsga2_b = run_nb201(dir, "nsga2_b", "nsga2", 2, false);
    const std::string random_a = run_nb201(dir, "random_a", "random", 1, false);
    const std::string random_b = run_nb201(dir, "random_b", "random", 2, false);
    const auto r = run_process({nas_binary(), "report", one, nsga2_b, random_a, random_b, "--plot",
                                (dir / "p3").string(), "--group-by", "strategy", "-o",
                                (dir / "r.md").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const std::string svg = read_file(dir / "p3" / "hypervolume.svg");
    CHECK(has(svg, "nsga2 (n=2)"));
    CHECK(has(svg, "random (n=2)"));
    CHECK(has(read_file(dir / "p3" / "hypervolume.gp"), "filledcurves"));
    CHECK(png_size(read_file(dir / "p3" / "hypervolume.png")) == std::make_pair(1050, 788));
    CHECK(has(r.err, "hypervolume reference point (shared by every run of the figure"));
    CHECK(has(r.err, "| strategy | runs | queries | hypervolume mean ± std |"));
    CHECK(has(r.err, "| nsga2 | 2 | 60 | "));
    CHECK(has(r.err, "| random | 2 | 60 | "));
    // Runs told apart by what differs: strategy and seed, not paths.
    const std::string front = read_file(dir / "p3" / "front.svg");
    CHECK(has(front, "nsga2 seed 2"));
    CHECK(has(front, "random seed 1"));

    const auto bad = run_process({nas_binary(), "report", one, "--group-by", "strategy"});
    CHECK(bad.exit_code == 2);
    CHECK(has(bad.err, "--group-by draws a figure: give --plot DIR too"));
  }
}

}  // namespace
}  // namespace nas::test

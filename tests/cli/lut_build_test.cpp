// `nas lut build` with a real local runner process on a tiny mbv3 space, into
// a temporary store; `nas predictor eval` on what it measured.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "sqlite_peek.h"
#include "tests/cli/tiny_mbv3_config.h"
#include "tests/support/process.h"

namespace nas::test {
namespace {

// Two stages of depth 1..2, kernels {3, 5}, expands {3, 4}: 2 x 2 x 2 x 2 =
// 16 distinct blocks; timed briefly, so that the whole build takes seconds.
std::string write_tiny_config(const TempDir& dir) {
  const nlohmann::json c = test::tiny_lut_config(dir.path(), "lut-e2e");
  const auto path = dir / "lut.json";
  write_file(path, c.dump(2));
  return path.string();
}

}  // namespace

TEST_CASE("nas lut build fills the device's table from a local runner; predictor eval reports it") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string db = (dir / "lut.db").string();
  const auto r = run_process({nas_binary(), "lut", "build", "--config", config, "--device", "cpu",
                              "--fit", "6", "--holdout", "8", "-q"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(query_int(db, "SELECT count(*) FROM lut_entries WHERE device = 'cpu' AND median_ms > 0") == 16);
  CHECK(query_int(db, "SELECT count(DISTINCT block_key) FROM lut_entries") == 16);
  CHECK(query_int(db, "SELECT count(*) FROM lut_fits WHERE device = 'cpu' AND subnets = 6") == 1);
  // The whole subnets are stored as measured evaluations of a "lut" run.
  CHECK(query_int(db, "SELECT count(*) FROM evaluations WHERE metric = 'cpu_ms' AND "
                      "source = 'measured' AND device = 'cpu' AND value > 0") == 14);
  CHECK(query_column(db, "SELECT strategy || ' ' || status FROM runs") ==
        std::vector<std::string>{"lut finished"});
  CHECK(r.out.find("16 blocks (16 measured now)") != std::string::npos);
  CHECK(r.out.find("held-out subnets: 8, within +-10 %") != std::string::npos);
  CHECK(r.err.find("runner local-cpu joined") != std::string::npos);

  // A second build measures no block again, and reuses the stored subnets.
  const auto again = run_process({nas_binary(), "lut", "build", "--config", config, "--fit", "6",
                                  "--holdout", "8", "-q"});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(again.out.find("16 blocks (0 measured now)") != std::string::npos);
  CHECK(query_int(db, "SELECT count(*) FROM evaluations") == 14);

  const auto eval = run_process({nas_binary(), "predictor", "eval", db, "--device", "cpu",
                                 "--folds", "4"});
  REQUIRE_MESSAGE(eval.exit_code == 0, eval.err);
  CHECK(eval.out.find("14 measured values, 4-fold cross-validation") != std::string::npos);
  for (const char* row : {"\ngp ", "\nrobust-linear ", "\nlut+overhead "}) {
    const auto at = eval.out.find(row);
    REQUIRE_MESSAGE(at != std::string::npos, eval.out);
    // n_train, n_test, within10, spearman, mape: figures, not placeholders.
    std::istringstream line(eval.out.substr(at + 1));
    std::string name, within;
    int train = 0, test = 0;
    double spearman = -2, mape = -1;
    line >> name >> train >> test >> within >> spearman >> mape;
    CHECK(train == 10);  // 14 values in 4 folds: 3 or 4 held out per fold
    CHECK(test == 14);
    CHECK(within.back() == '%');
    CHECK(spearman >= -1.0);
    CHECK(spearman <= 1.0);
    CHECK(mape >= 0.0);
  }
}

TEST_CASE("nas predictor eval refuses a store with too few measurements of the device") {
  TempDir dir;
  const std::string config = write_tiny_config(dir);
  const std::string db = (dir / "lut.db").string();
  const auto build = run_process({nas_binary(), "lut", "build", "--config", config, "--fit", "3",
                                  "--holdout", "2", "-q"});
  REQUIRE_MESSAGE(build.exit_code == 0, build.err);
  const auto few = run_process({nas_binary(), "predictor", "eval", db, "--device", "cpu"});
  CHECK(few.exit_code == 1);
  CHECK(few.err.find("nas: store " + db + ": only 5 measured values of metric 'cpu_ms' on device "
                     "'cpu'") != std::string::npos);
  CHECK(few.err.find("needs at least 10") != std::string::npos);
  const auto none = run_process({nas_binary(), "predictor", "eval", db, "--device", "jetson"});
  CHECK(none.exit_code == 1);
  CHECK(none.err == "nas: store " + db + ": no measured values of metric 'jetson_ms' on device "
                    "'jetson'\n");
}

}  // namespace nas::test

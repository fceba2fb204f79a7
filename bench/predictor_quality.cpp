// Learned latency predictors on the NAS-Bench-201 table: trained on 100
// randomly chosen architectures, predicting every other usable one
// (degenerate latency < 0.05 ms excluded), averaged over 5 draws.
//
// Prints Spearman rank correlation, the share of predictions within +-10 %
// and the MAPE for raspi4 (targets: Spearman >= 0.95 and >= 65 % within
// +-10 %), with pixel3, samsung_a50 and gold_6226 beside it, for the robust
// linear model over NB201 op counts (estimators/robust_linear_predictor.h,
// which the targets judge), the GP predictor (estimators/gp_predictor.h)
// with the NB201 cost features (estimators/nb201_cost.h), the same GP on the
// decisions alone, and, as a reference, a linear one-hot model of log latency
// fitted by least squares (per-op costs). Also the
// calibration of the uncertainty: the share of truths within +-1 and +-2
// predicted standard deviations. PASS/MISS lines, never asserts.
//
// Usage: bench_predictor_quality [draws=5] [train=100]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/nb201_bench_util.h"
#include "core/nb201_space.h"
#include "core/random.h"
#include "estimators/gp_predictor.h"
#include "estimators/nb201_cost.h"
#include "estimators/prediction_quality.h"
#include "estimators/robust_linear_predictor.h"

namespace {

struct Model {
  std::string name;
  nas::PredictorFactory make;
};

struct Cell {
  nas::bench::Stat spearman, within10, mape, in1sd, in2sd, fit_ms;
};

}  // namespace

int main(int argc, char** argv) {
  int draws = 5;
  std::size_t train = 100;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("draws=", 0) == 0) draws = std::atoi(arg.c_str() + 6);
    else if (arg.rfind("train=", 0) == 0) train = static_cast<std::size_t>(std::atol(arg.c_str() + 6));
    else {
      std::fprintf(stderr, "usage: bench_predictor_quality [draws=N] [train=N]\n");
      return 2;
    }
  }
  const nas::SearchSpace space = nas::nb201_space();
  const auto table = nas::bench::shipped_table();
  const std::vector<std::string> devices{"raspi4", "pixel3", "samsung_a50", "gold_6226"};

  const auto gp = [&space](nas::GpOptions options) -> nas::PredictorFactory {
    return [&space, options] { return std::make_unique<nas::GpPredictor>(space, options); };
  };
  std::vector<Model> models;
  nas::RobustLinearOptions robust;
  robust.views = nas::default_feature_views(space);
  models.push_back({"robust linear", [robust] {
                      return std::make_unique<nas::RobustLinearPredictor>(robust);
                    }});
  // The GP with the NB201 cost features and its default grid, raw target.
  nas::GpOptions with_cost;
  with_cost.features = nas::default_features(space);
  models.push_back({"gp + nb201 cost", gp(with_cost)});
  models.push_back({"gp decisions", gp(nas::GpOptions{})});
  nas::GpOptions linear;
  linear.log_target = true;
  linear.linear_weights = {1.0};
  linear.thetas = {1.0};
  models.push_back({"linear one-hot", gp(linear)});

  std::printf("NB201 latency predictors: %zu training archs, all other usable archs predicted, "
              "%d draws\n\n", train, draws);
  std::printf("%-15s %-12s %6s  %-15s %-15s %-13s %7s %7s %8s\n", "model", "device", "test",
              "Spearman", "within 10 %", "MAPE %", "in 1sd", "in 2sd", "fit ms");
  double raspi_spearman = 0, raspi_within = 0;
  for (const Model& model : models) {
    for (const std::string& device : devices) {
      const std::string column = device + "_ms";
      const std::size_t c = *table->column_index(column);
      const std::vector<std::size_t> rows = nas::bench::usable_rows(*table, column);
      Cell cell;
      std::size_t tested = 0;
      std::string last_fit;
      for (int d = 0; d < draws; ++d) {
        nas::Rng rng(1000 + static_cast<std::uint64_t>(d));
        std::vector<std::size_t> order = rows;
        for (std::size_t i = 0; i < train; ++i) {  // partial Fisher-Yates
          std::swap(order[i], order[i + nas::uniform_index(rng, order.size() - i)]);
        }
        std::vector<nas::Arch> archs;
        std::vector<double> values;
        for (std::size_t i = 0; i < train; ++i) {
          archs.push_back(table->arch(order[i]));
          values.push_back(*table->value(order[i], c));
        }
        const std::unique_ptr<nas::Predictor> predictor = model.make();
        const auto start = std::chrono::steady_clock::now();
        predictor->fit(archs, values);
        last_fit = predictor->describe();
        cell.fit_ms.add(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        std::vector<double> truth, predicted;
        double in1 = 0, in2 = 0;
        for (std::size_t i = train; i < order.size(); ++i) {
          const nas::Prediction p = predictor->predict(table->arch(order[i]));
          const double t = *table->value(order[i], c);
          truth.push_back(t);
          predicted.push_back(p.mean);
          // Calibration in log space, where the model is Gaussian; a
          // non-positive prediction counts as outside.
          const double z = p.mean > 0 ? std::abs(std::log(t) - std::log(p.mean)) / (p.std / p.mean)
                                      : INFINITY;
          in1 += z <= 1 ? 1 : 0;
          in2 += z <= 2 ? 1 : 0;
        }
        const nas::PredictionQuality q = nas::prediction_quality(truth, predicted);
        tested = q.count;
        cell.spearman.add(q.spearman);
        cell.within10.add(100 * q.within10);
        cell.mape.add(q.mape);
        cell.in1sd.add(100 * in1 / static_cast<double>(q.count));
        cell.in2sd.add(100 * in2 / static_cast<double>(q.count));
      }
      std::printf("%-15s %-12s %6zu  %.3f (sd %.3f)   %5.1f (sd %4.1f)   %5.2f (sd %4.2f) %6.1f%% %6.1f%% %8.1f\n",
                  model.name.c_str(), device.c_str(), tested, cell.spearman.mean(),
                  cell.spearman.sd(), cell.within10.mean(), cell.within10.sd(), cell.mape.mean(),
                  cell.mape.sd(), cell.in1sd.mean(), cell.in2sd.mean(), cell.fit_ms.mean());
      if (&model == &models.front()) std::printf("%17s last draw: %s\n", "", last_fit.c_str());
      if (&model == &models.front() && device == "raspi4") {
        raspi_spearman = cell.spearman.mean();
        raspi_within = cell.within10.mean();
      }
    }
  }
  std::printf("\n%s: raspi4 Spearman %.3f, target >= 0.95\n", raspi_spearman >= 0.95 ? "PASS" : "MISS",
              raspi_spearman);
  std::printf("%s: raspi4 within +-10 %% %.1f %%, target >= 65 %%\n",
              raspi_within >= 65 ? "PASS" : "MISS", raspi_within);
  return 0;
}

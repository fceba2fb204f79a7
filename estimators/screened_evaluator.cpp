#include "estimators/screened_evaluator.h"

#include <algorithm>
#include <cstdio>

#include "core/errors.h"
#include "core/pareto.h"

namespace nas {
namespace {

std::string arch_key(const Arch& arch) {
  std::string key;
  for (int c : arch.choices) key += std::to_string(c) + '.';
  return key;
}

}  // namespace

ScreenedEvaluator::ScreenedEvaluator(std::unique_ptr<Evaluator> inner, const SearchSpace& space,
                                     ScreeningOptions options, PredictorFactory factory)
    : inner_(std::move(inner)),
      space_(space),
      options_(std::move(options)),
      failures_(space_, options_.failure_features ? options_.failure_features
                                                  : default_features(space_)) {
  if (!inner_) throw Error("screened evaluator: no inner evaluator");
  auto it = std::find_if(options_.objectives.begin(), options_.objectives.end(),
                         [&](const Objective& o) { return o.metric == options_.metric; });
  if (it == options_.objectives.end()) {
    throw Error("screened evaluator: \"" + options_.metric + "\" is not an objective of the run");
  }
  screened_index_ = static_cast<std::size_t>(it - options_.objectives.begin());
  for (const Objective& o : options_.objectives) inner_->key(o.metric);  // throws for unknown
  if (options_.budget < 0 || options_.warmup < 0) {
    throw Error("screened evaluator: budget and warmup must be >= 0");
  }
  predictor_ = factory ? factory() : make_search_predictor(space_);
}

Evaluation ScreenedEvaluator::cached(const Arch& arch, const std::string& metric) {
  const std::string key = arch_key(arch);
  if (key != cache_arch_) {
    cache_.clear();
    cache_arch_ = key;
  }
  auto hit = cache_.find(metric);
  if (hit != cache_.end()) return hit->second;
  Evaluation e = inner_->evaluate(arch, metric);
  cache_.emplace(metric, e);
  return e;
}

std::vector<double> ScreenedEvaluator::point(const Arch& arch, double value) {
  std::vector<double> p;
  for (std::size_t i = 0; i < options_.objectives.size(); ++i) {
    const Objective& o = options_.objectives[i];
    double v = value;
    if (i != screened_index_) {
      const Evaluation e = cached(arch, o.metric);
      if (!e.value) return {};
      v = *e.value;
    }
    p.push_back(to_minimised(o.goal, v));
  }
  return p;
}

Evaluation ScreenedEvaluator::measure_and_learn(const Arch& arch) {
  Evaluation e = inner_->evaluate(arch, options_.metric);
  if (options_.learn_failures) failures_.add(arch, !e.value);
  if (!e.value) {
    ++stats_.failed;
    return e;
  }
  train_archs_.push_back(arch);
  train_values_.push_back(*e.value);
  stale_ = true;
  std::vector<double> p = point(arch, *e.value);
  if (!p.empty()) add_to_front(front_, std::move(p));
  return e;
}

Evaluation ScreenedEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  if (metric != options_.metric) return cached(arch, metric);
  if (options_.learn_failures) {
    const double risk = failures_.risk(arch);
    if (risk >= kPredictedToFail) {
      ++stats_.predicted;
      ++stats_.predicted_to_fail;
      Evaluation e;
      e.key = inner_->key(metric);
      e.key.source = Source::kPredicted;
      char note[128];
      std::snprintf(note, sizeof note,
                    "predicted to fail: risk %.2f from %lld failures in %lld measurements", risk,
                    static_cast<long long>(failures_.failures()),
                    static_cast<long long>(failures_.examples()));
      e.note = note;
      return e;
    }
  }
  const bool budget_left = stats_.measured < options_.budget;
  if (budget_left && (static_cast<std::int64_t>(train_archs_.size()) < options_.warmup ||
                      train_archs_.size() < 2)) {
    ++stats_.measured;
    return measure_and_learn(arch);
  }
  if (stale_ && train_archs_.size() >= 2) {
    predictor_->fit(train_archs_, train_values_);
    stale_ = false;
  }
  if (!predictor_->fitted()) {  // no budget and never enough data: measure is all there is
    ++stats_.measured;
    return measure_and_learn(arch);
  }
  const Prediction p = predictor_->predict(arch);
  if (budget_left) {
    const bool maximise = options_.objectives[screened_index_].goal == Goal::kMaximize;
    const double optimistic = maximise ? p.mean + options_.explore * p.std
                                       : p.mean - options_.explore * p.std;
    const std::vector<double> q = point(arch, optimistic);
    const bool could_enter = !q.empty() && !dominated_by_any(front_, q);
    if (could_enter) {
      ++stats_.measured;
      return measure_and_learn(arch);
    }
  }
  ++stats_.predicted;
  Evaluation e;
  e.key = inner_->key(metric);
  e.key.source = Source::kPredicted;
  e.value = p.mean;
  char note[96];
  std::snprintf(note, sizeof note, "predicted: std %.4g from %zu measurements", p.std,
                train_archs_.size());
  e.note = note;
  return e;
}

Evaluation ScreenedEvaluator::measure(const Arch& arch, const std::string& metric) {
  if (metric != options_.metric) return inner_->evaluate(arch, metric);
  ++stats_.confirmations;
  Evaluation e = measure_and_learn(arch);
  if (!e.value) ++stats_.failed_confirmations;
  return e;
}

double ScreenedEvaluator::failure_risk(const Arch& arch, const std::string& metric) {
  if (metric != options_.metric || !options_.learn_failures) return 0;
  return failures_.risk(arch);
}

}  // namespace nas

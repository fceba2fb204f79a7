#include "core/preferred_value.h"

namespace nas {
namespace {

int source_rank(Source source) {
  switch (source) {
    case Source::kMeasured: return 0;
    case Source::kTabular: return 1;
    case Source::kAnalytic: return 2;
    case Source::kSupernet: return 3;
    case Source::kPredicted: return 4;
    case Source::kFinetuned: break;  // never picked: see the header
  }
  return 5;
}

}  // namespace

const Evaluation* preferred_value(const std::vector<Evaluation>& evaluations,
                                  const std::string& metric) {
  const Evaluation* best = nullptr;
  for (const Evaluation& e : evaluations) {
    if (e.key.metric != metric || e.key.source == Source::kFinetuned) continue;
    if (!best || (e.value && !best->value) ||
        (e.value.has_value() == best->value.has_value() &&
         source_rank(e.key.source) < source_rank(best->key.source))) {
      best = &e;
    }
  }
  return best;
}

const Evaluation* fine_tuned_value(const std::vector<Evaluation>& evaluations,
                                   const std::string& metric) {
  const Evaluation* latest = nullptr;
  for (const Evaluation& e : evaluations) {
    if (e.key.metric == metric && e.key.source == Source::kFinetuned && e.value) latest = &e;
  }
  return latest;
}

}  // namespace nas

#include <memory>

#include "core/errors.h"
#include "estimators/nb201_cost.h"
#include "search/evolution.h"
#include "search/nsga2.h"
#include "search/random_search.h"
#include "search/strategy.h"
#include "search/surrogate_search.h"

namespace nas {

std::unique_ptr<Strategy> make_strategy(const SearchOptions& options, const SearchSpace& space,
                                        std::size_t num_objectives, std::uint64_t seed) {
  if (num_objectives == 0) throw Error("a search needs at least one objective");
  if (options.strategy == "random") {
    return std::make_unique<RandomSearch>(space, num_objectives, seed);
  }
  if (options.strategy == "evolution") {
    return std::make_unique<Evolution>(options, space, num_objectives, seed);
  }
  if (options.strategy == "nsga2") {
    Nsga2Tuning tuning;
    if (space.name() == "nb201") {
      tuning.simplify = [&space](const Arch& arch) { return nb201_without_dead_ops(space, arch); };
    }
    return std::make_unique<Nsga2>(options, space, num_objectives, seed, std::move(tuning));
  }
  if (options.strategy == "surrogate") {
    return std::make_unique<SurrogateSearch>(options, space, num_objectives, seed);
  }
  throw Error("unknown search strategy '" + options.strategy +
              "' (expected random, evolution, nsga2 or surrogate)");
}

}  // namespace nas

#include "cli/stored_subnet.h"

#include <algorithm>

#include "core/errors.h"
#include "core/json_parse.h"
#include "core/mbv3_notation.h"
#include "results/stored_run.h"

namespace nas::cli {
namespace {

// The run whose configuration built the arch: the one asked for, or the
// latest that queried it.
std::int64_t run_of(const Store& store, const std::string& arch_id,
                    const std::optional<std::int64_t>& wanted) {
  const std::string where = "store " + store.path() + ": ";
  if (wanted) {
    if (!store.run(*wanted)) throw Error(where + "no run " + std::to_string(*wanted));
    const auto queried = store.queried_archs(*wanted);
    if (std::find(queried.begin(), queried.end(), arch_id) == queried.end()) {
      throw Error(where + "run " + std::to_string(*wanted) + " did not query arch " + arch_id);
    }
    return *wanted;
  }
  const auto runs = store.list_runs();
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const auto queried = store.queried_archs(it->id);
    if (std::find(queried.begin(), queried.end(), arch_id) != queried.end()) return it->id;
  }
  throw Error(where + "arch " + arch_id + " is stored, but no run of this store queried it, so "
              "there is no configuration to rebuild it from");
}

// The id `text` names: an id as it stands, else the compact mbv3 notation
// (core/mbv3_notation.h) read in the space of the latest run that parses it.
std::string resolve_arch(const Store& store, const std::string& text) {
  if (store.arch(text) || text.find('|') == std::string::npos) return text;
  const auto runs = store.list_runs();
  std::string problem;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    std::optional<StoredRun> run;
    try {
      run = load_run(store, it->id);
    } catch (const StoredRunError&) {
      continue;  // a run this build cannot read names no space to parse in
    }
    if (run->config.space.type != "mbv3") continue;
    const SearchSpace& space = run->space;
    try {
      const std::string id = space.id(parse_mbv3_notation(space, text));
      if (store.arch(id)) return id;
      problem = "architecture '" + text + "' (id " + id + ") is not in the store";
    } catch (const UsageError& e) {
      problem = e.what();
    }
  }
  if (problem.empty()) problem = "no architecture with id '" + text + "' and no mbv3 run to read it as a notation in";
  throw Error("store " + store.path() + ": " + problem);
}

}  // namespace

StoredSubnet load_stored_subnet(const Store& store, const std::string& text,
                                const std::optional<std::int64_t>& run_id) {
  const std::string arch_id = resolve_arch(store, text);
  const auto arch = store.arch(arch_id);
  if (!arch) {
    throw Error("store " + store.path() + ": no architecture with id '" + arch_id +
                "' (`nas report` lists the stored ones)");
  }
  const std::int64_t run = run_of(store, arch_id, run_id);
  const RunConfig config = load_run(store, run).config;
  if (config.space.type != "mbv3" || !config.supernet.enabled) {
    throw Error("arch " + arch_id + " is in the " + arch->space +
                " space, which has no network builder: only subnets of a supernet space "
                "(mbv3) can be exported or fine-tuned");
  }
  auto supernet = std::make_unique<Supernet>(config.space.mbv3, config.supernet, config.seed);
  if (supernet->space().name() != arch->space) {
    throw Error("run " + std::to_string(run) + "'s configuration gives space " +
                supernet->space().name() + ", but arch " + arch_id + " is in " + arch->space);
  }
  if (!supernet->load()) {
    throw Error("checkpoint " + supernet->checkpoint_path() + " is missing: `nas run` with run " +
                std::to_string(run) + "'s configuration trains it (checkpoint_dir is "
                "relative to where the run started)");
  }
  if (!supernet->trained()) {
    throw Error("checkpoint " + supernet->checkpoint_path() + " holds " +
                std::to_string(supernet->epochs_done()) + " of " +
                std::to_string(config.supernet.training.epochs) +
                " epochs: `nas run --resume` finishes its training");
  }
  StoredSubnet out;
  out.arch = supernet->space().from_json(parse_json(arch->canonical_json));
  out.arch_id = arch_id;
  out.canonical_json = arch->canonical_json;
  out.run_id = run;
  out.config = config;
  out.supernet = std::move(supernet);
  return out;
}

}  // namespace nas::cli

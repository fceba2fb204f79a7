// A subnet the search stored, rebuilt with its run's trained supernet: what
// `nas export` ships and `nas finetune` trains.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/search_space.h"
#include "results/store.h"
#include "supernet/supernet.h"

namespace nas::cli {

struct StoredSubnet {
  std::string arch_id;
  std::string canonical_json;
  Arch arch;
  std::int64_t run_id = 0;  // the run whose configuration rebuilds it
  RunConfig config;
  std::unique_ptr<Supernet> supernet;  // its checkpoint loaded and fully trained
};

// `text`: an arch id, or its compact mbv3 notation (core/mbv3_notation.h);
// `run_id`: the run to rebuild from (default: the latest that queried it).
// Never trains. Throws nas::Error, one line each, for an unknown arch, a run
// that is not in the store or did not query it, an arch of a space with no
// network builder (nb201), and a missing or unfinished checkpoint (naming
// the file and that `nas run` trains it).
StoredSubnet load_stored_subnet(const Store& store, const std::string& text,
                                const std::optional<std::int64_t>& run_id);

}  // namespace nas::cli

// The search spaces nas knows, by the name a config gives.
#pragma once

#include <string>

#include "core/config.h"
#include "core/search_space.h"

namespace nas {

// Builds the space a config asks for. Throws nas::Error for an unknown type.
SearchSpace make_space(const SpaceOptions& options);

// A short human-readable form of `arch` for tables: the cell string for
// nb201, the compact notation of core/mbv3_notation.h for mbv3, the full form
// (arch_full_label) otherwise.
std::string arch_label(const SearchSpace& space, const Arch& arch);

// Every active decision spelled out, "decision=choice ..." (the cell string
// for nb201): what CSV and JSON keep, so that scripts need no parser.
std::string arch_full_label(const SearchSpace& space, const Arch& arch);

}  // namespace nas

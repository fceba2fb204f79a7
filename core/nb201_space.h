// The NAS-Bench-201 cell space: a 4-node cell whose 6 edges each pick one of
// 5 operations (15,625 architectures).
#pragma once

#include <string>

#include "core/search_space.h"

namespace nas {

// Decisions are named "edge_<to>_<from>" in the benchmark's edge order
// (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2); choices are the operation names.
SearchSpace nb201_space();

// The benchmark's cell string, e.g.
// "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|".
// REQUIRES: space is nb201_space().
std::string nb201_to_string(const SearchSpace& space, const Arch& arch);

// Parses a cell string; throws nas::Error that quotes it when malformed.
Arch nb201_from_string(const SearchSpace& space, const std::string& cell);

}  // namespace nas

// A compact, readable notation for architectures of an mbv3 space, for tables
// and for typing an architecture where an id is expected.
//
//   r28 | d3 k777 e666 | d3 k775 e634 | d2 k73 e66
//
// "r<side>" is the input resolution; then one group per stage, in order:
// "d<depth>", then the depthwise kernel of each block that runs ("k", one
// value per block) and its expand ratio ("e", likewise). Values are written
// digit after digit when every choice of the space has one digit, and
// separated by commas otherwise ("k3,11"). A stage whose activation is a
// decision ends in "relu" or "hswish"; squeeze-excite, and an activation the
// layout fixes, are left out. Groups are separated by "|"; spaces are free.
#pragma once

#include <string>

#include "core/search_space.h"

namespace nas {

// Whether `space` is an mbv3 space (its decisions follow core/mbv3_space.h).
bool is_mbv3_space(const SearchSpace& space);

// The notation of `arch`. REQUIRES: is_mbv3_space(space), space.check(arch) holds.
std::string mbv3_notation(const SearchSpace& space, const Arch& arch);

// Parses the notation back into a canonical Arch of `space`. Throws
// nas::UsageError naming what is wrong (a missing stage, a depth the space
// lacks, a kernel count that does not match the depth, an unknown value).
Arch parse_mbv3_notation(const SearchSpace& space, const std::string& text);

}  // namespace nas

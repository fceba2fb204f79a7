// Stable, platform-independent hashing for ids (architectures, configs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nas {

// 64-bit FNV-1a followed by a SplitMix64 finaliser. Stable across platforms
// and releases: ids derived from it are stored, so it must never change.
// With 64 bits, a search that sees a million architectures has a collision
// probability below 3e-8.
std::uint64_t stable_hash64(std::string_view bytes);

// stable_hash64 as 16 lower-case hex digits.
std::string stable_hash_hex(std::string_view bytes);

}  // namespace nas

// The project's random generator, with its state as text so that a search can
// be stored and resumed bit for bit.
#pragma once

#include <random>
#include <string>

namespace nas {

using Rng = std::mt19937_64;

// The generator's full state as text (the standard stream format).
std::string save_rng(const Rng& rng);

// Restores a state written by save_rng. Throws nas::Error on malformed text.
void load_rng(Rng& rng, const std::string& state);

// Uniform integer in [0, n). REQUIRES: n > 0. Written out rather than using
// std::uniform_int_distribution, whose output differs between standard
// libraries, so that seeded runs give the same results everywhere.
std::size_t uniform_index(Rng& rng, std::size_t n);

// Uniform double in [0, 1), same portability reason.
double uniform_unit(Rng& rng);

}  // namespace nas

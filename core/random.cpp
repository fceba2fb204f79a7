#include "core/random.h"

#include <cstdint>
#include <sstream>

#include "core/errors.h"

namespace nas {

std::string save_rng(const Rng& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

void load_rng(Rng& rng, const std::string& state) {
  std::istringstream in(state);
  Rng restored;
  in >> restored;
  if (in.fail()) throw Error("random generator state is malformed");
  rng = restored;
}

std::size_t uniform_index(Rng& rng, std::size_t n) {
  // Rejection sampling removes the modulo bias.
  const std::uint64_t range = n;
  const std::uint64_t limit = Rng::max() - (Rng::max() % range);
  std::uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return static_cast<std::size_t>(x % range);
}

double uniform_unit(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace nas

#include "core/space_registry.h"

#include "core/errors.h"
#include "core/mbv3_notation.h"
#include "core/mbv3_space.h"
#include "core/nb201_space.h"

namespace nas {

SearchSpace make_space(const SpaceOptions& options) {
  if (options.type == "nb201") return nb201_space();
  // The data's shape does not change the decisions (nor the space's name).
  if (options.type == "mbv3") return mbv3_space(mbv3_layout(options.mbv3, 1, 10));
  throw Error("unknown search space '" + options.type + "'");
}

std::string arch_label(const SearchSpace& space, const Arch& arch) {
  if (is_mbv3_space(space)) return mbv3_notation(space, arch);
  return arch_full_label(space, arch);
}

std::string arch_full_label(const SearchSpace& space, const Arch& arch) {
  if (space.name() == "nb201") return nb201_to_string(space, arch);
  std::string out;
  for (std::size_t i = 0; i < space.num_decisions(); ++i) {
    if (!space.is_active(arch, i)) continue;
    if (!out.empty()) out += ' ';
    out += space.decision(i).name + "=" +
           space.decision(i).choices[static_cast<std::size_t>(arch.choices[i])];
  }
  return out;
}

}  // namespace nas

// A supernet off its initial values, for tests where BN folding, extraction
// or quantization must meet weights and statistics that matter.
#pragma once

#include <torch/torch.h>

#include "core/random.h"
#include "core/search_space.h"
#include "supernet/mbv3_supernet.h"

namespace nas::test {

// Adds noise (std 0.1) to every parameter (kernel transforms, BN affine),
// then gives the BN layers running statistics of their own from 6
// training-mode passes of random subnets on inputs
// randn * input_scale + input_shift; leaves the supernet in eval mode. The
// caller seeds torch's generator.
inline void perturb(Mbv3Supernet& supernet, const Mbv3Layout& layout, const SearchSpace& space,
                    double input_scale = 1, double input_shift = 0) {
  torch::NoGradGuard no_grad;
  for (auto& p : supernet->parameters()) p.add_(torch::randn_like(p) * 0.1);
  Rng rng(5);
  supernet->train();
  for (int i = 0; i < 6; ++i) {
    const Mbv3Subnet s = decode_mbv3(space, layout, space.sample(rng));
    supernet->forward(
        torch::randn({8, layout.in_channels, s.resolution, s.resolution}) * input_scale + input_shift,
        s);
  }
  supernet->eval();
}

}  // namespace nas::test

// The small mbv3 configuration the farm, export and lut end-to-end tests
// share: two stages of depth 1..2, kernels {3, 5}, expands {3, 4}, a
// supernet trained for one epoch on 600 Fashion-MNIST images, and a short
// latency protocol, so that a whole run takes seconds. Each test adds its
// own name, store, farm, objectives and search, or changes a piece.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace nas::test {

inline nlohmann::json tiny_mbv3_config(const std::filesystem::path& dir) {
  return {
      {"seed", 5},
      {"space",
       {{"type", "mbv3"},
        {"stem_width", 8},
        {"stem_stride", 2},
        {"stages",
         {{{"width", 16}, {"stride", 2}, {"depths", {1, 2}}},
          {{"width", 24}, {"stride", 2}, {"depths", {1, 2}}, {"se", true}}}},
        {"kernels", {3, 5}},
        {"expand_ratios", {3, 4}},
        {"resolutions", {28}},
        {"head_width", 32}}},
      {"supernet",
       {{"data", {{"dataset", "fashion-mnist"}, {"validation", 200}, {"train_limit", 600}}},
        {"training",
         {{"epochs", 1}, {"batch_size", 64}, {"threads", 1},
          {"checkpoint_dir", (dir / "checkpoints").string()}}}}},
      {"evaluator",
       {{"type", "supernet"},
        {"bn_batches", 2},
        {"bn_batch_size", 64},
        {"val_images", 200},
        {"latency",
         {{"batch", 1}, {"threads", 1}, {"warmup", 3}, {"warmup_ms", 5}, {"repeats", 10}}}}},
  };
}

}  // namespace nas::test

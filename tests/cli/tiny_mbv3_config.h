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

// The same space for a look-up table: nothing trained (blocks and subnets are
// timed, never trained), timed briefly on the farm's "cpu" device, a random
// search of 4, stored in dir/lut.db under `name`.
inline nlohmann::json tiny_lut_config(const std::filesystem::path& dir, const std::string& name) {
  nlohmann::json c = tiny_mbv3_config(dir);
  c["name"] = name;
  c["store"] = (dir / "lut.db").string();
  c.erase("supernet");
  c["evaluator"]["latency"] = {{"batch", 1}, {"threads", 1}, {"warmup", 2}, {"warmup_ms", 2},
                               {"repeats", 5}};
  c["farm"] = {{"deadline_seconds", 60}, {"wait_seconds", 120}};
  c["objectives"] = {{{"metric", "val_acc"}, {"goal", "maximize"}},
                     {{"metric", "cpu_ms"}, {"goal", "minimize"}}};
  c["search"] = {{"strategy", "random"}, {"budget", 4}};
  return c;
}

}  // namespace nas::test

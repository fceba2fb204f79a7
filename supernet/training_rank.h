// Where this process stands in data-parallel supernet training: its rank,
// how many ranks train together, and where they meet (the rendezvous that
// rank 0 hosts). Torch-free, so that cli can name ranks without LibTorch.
#pragma once

#include <optional>
#include <string>

namespace nas {

struct TrainingRank {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;        // 0 on rank 0: any free port (local ranks)
  double timeout_seconds = 600;   // a rank silent this long ends training

  bool distributed() const { return world_size > 1; }
  bool writes_checkpoints() const { return rank == 0; }
};

// The rank that torchrun's variables describe (RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT); nullopt when WORLD_SIZE is unset. Throws UsageError naming
// the variable when one is missing or malformed.
std::optional<TrainingRank> training_rank_from_environment();

// "HOST:PORT" (as --master takes it) into `rank`. Throws UsageError.
void parse_master_address(const std::string& text, TrainingRank& rank);

}  // namespace nas

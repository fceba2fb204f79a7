// Who trains the supernet, as the configuration and the command line say:
// this process alone; rank 0 of `training.processes` local ranks, the others
// started here as `nas train CONFIG --rank R` and stopped when training ends
// or fails; or one rank of a group across machines, named by torchrun's
// variables (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) or by `nas train`'s
// options.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "core/supernet_options.h"
#include "supernet/supernet.h"
#include "supernet/training_rank.h"

namespace nas::cli {

class TrainingRanks {
 public:
  // `named`: the rank the command line or the environment gave, if any;
  // otherwise training.processes decides. `config_path` is what local ranks
  // are started with; `resume_hint` ends the error of a failed multi-rank
  // training ("start every rank again to resume").
  TrainingRanks(const TrainingOptions& training, std::string config_path,
                std::optional<TrainingRank> named, std::string resume_hint);
  ~TrainingRanks();  // stops local ranks that still run
  TrainingRanks(const TrainingRanks&) = delete;
  TrainingRanks& operator=(const TrainingRanks&) = delete;

  const TrainingRank& rank() const { return rank_; }

  // Joins the others (starting the local ranks) and trains. A failure that a
  // local rank's death explains names that rank and how it ended.
  TrainSummary train(Supernet& supernet,
                     const std::function<void(const TrainProgress&)>& progress);

 private:
  void start_local_ranks(int port);
  std::string lost_local_ranks();  // "rank 1 (pid N) was killed by signal 9"
  void stop_local_ranks();

  TrainingRank rank_;
  std::string config_path_;
  std::string resume_hint_;
  bool starts_local_ranks_ = false;
  std::vector<pid_t> local_;  // index r - 1 holds rank r; -1 once reaped
};

// The log lines before and after training: the supernet, its checkpoint and
// the ranks; then the epochs trained, images/s and the all-reduce's share.
void log_training_start(const Supernet& supernet, const TrainingRank& rank);
void log_training_end(const Supernet& supernet, const TrainSummary& summary);

// The rank of `nas run`: rank 0 of what the environment names, or alone.
// Throws UsageError for another rank: the search runs once, on rank 0.
std::optional<TrainingRank> run_command_rank();

}  // namespace nas::cli

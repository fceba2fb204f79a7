#include "cli/training_ranks.h"

#include <signal.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "core/errors.h"

namespace nas::cli {
namespace {

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

TrainingRanks::TrainingRanks(const TrainingOptions& training, std::string config_path,
                             std::optional<TrainingRank> named, std::string resume_hint)
    : config_path_(std::move(config_path)), resume_hint_(std::move(resume_hint)) {
  if (named) {
    rank_ = *named;
  } else if (training.processes > 1) {
    rank_.world_size = static_cast<int>(training.processes);
    rank_.master_port = 0;  // any free port; the local ranks are told which
    starts_local_ranks_ = true;
  }
  rank_.timeout_seconds = training.timeout_seconds;
}

TrainingRanks::~TrainingRanks() { stop_local_ranks(); }

void TrainingRanks::start_local_ranks(int port) {
  const std::string world = std::to_string(rank_.world_size);
  const std::string master = "127.0.0.1:" + std::to_string(port);
  for (int r = 1; r < rank_.world_size; ++r) {
    const std::string rank = std::to_string(r);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error("cannot start training rank " + rank + ": " + std::strerror(errno));
    if (pid == 0) {
      // A rank outlives no parent: if this process dies, so do its ranks.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::execl("/proc/self/exe", "nas", "train", config_path_.c_str(), "--rank", rank.c_str(),
              "--world-size", world.c_str(), "--master", master.c_str(),
              static_cast<char*>(nullptr));
      std::fprintf(stderr, "nas: cannot start training rank %s: %s\n", rank.c_str(),
                   std::strerror(errno));
      ::_exit(127);
    }
    local_.push_back(pid);
    spdlog::info("training rank {} of {} started here (pid {})", r, rank_.world_size, pid);
  }
}

std::string TrainingRanks::lost_local_ranks() {
  // A rank killed a moment ago may not be reaped yet: give it a second.
  std::string lost;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  do {
    for (std::size_t i = 0; i < local_.size(); ++i) {
      if (local_[i] < 0) continue;
      int status = 0;
      if (::waitpid(local_[i], &status, WNOHANG) == local_[i]) {
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
          lost += (lost.empty() ? "" : "; ") + std::string("training rank ") +
                  std::to_string(i + 1) + " (pid " + std::to_string(local_[i]) + ") " +
                  how_it_ended(status);
        }
        local_[i] = -1;
      }
    }
    if (!lost.empty()) return lost;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return lost;
}

void TrainingRanks::stop_local_ranks() {
  for (pid_t& pid : local_) {
    if (pid < 0) continue;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
  }
}

TrainSummary TrainingRanks::train(Supernet& supernet,
                                  const std::function<void(const TrainProgress&)>& progress) {
  try {
    supernet.join_training_group(rank_, [this](int port) {
      if (starts_local_ranks_) start_local_ranks(port);
    });
    const TrainSummary summary = supernet.train(progress);
    // The local ranks finish with this one: wait for them, and say if one failed.
    for (std::size_t i = 0; i < local_.size(); ++i) {
      int status = 0;
      ::waitpid(local_[i], &status, 0);
      if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        const std::string pid = std::to_string(local_[i]);
        local_[i] = -1;
        throw Error("training rank " + std::to_string(i + 1) + " (pid " + pid + ") " +
                    how_it_ended(status) + " after training");
      }
      local_[i] = -1;
    }
    return summary;
  } catch (const ConfigError&) {
    stop_local_ranks();
    throw;
  } catch (const UsageError&) {
    stop_local_ranks();
    throw;
  } catch (const Error& e) {
    const std::string lost = lost_local_ranks();
    stop_local_ranks();
    if (!rank_.distributed()) throw;
    throw Error((lost.empty() ? "" : lost + "; ") + e.what() + "; " + resume_hint_);
  }
}

void log_training_start(const Supernet& supernet, const TrainingRank& rank) {
  spdlog::info("supernet {} on {} ({} training images{}), checkpoint {}", supernet.checkpoint_id(),
               supernet.device(), supernet.train_images(),
               rank.distributed() ? fmt::format(", rank {} of {}", rank.rank, rank.world_size) : "",
               supernet.checkpoint_path());
}

void log_training_end(const Supernet& supernet, const TrainSummary& summary) {
  if (summary.epochs_trained_now == 0) {
    spdlog::info("supernet {}: trained checkpoint loaded ({} epochs)", supernet.checkpoint_id(),
                 summary.epochs_done);
    return;
  }
  std::string ranks;
  if (summary.ranks > 1) {
    ranks = fmt::format(" on {} ranks, all-reduce {:.1f}% of rank 0's step time", summary.ranks,
                        100.0 * summary.communication_seconds / std::max(1e-9, summary.step_seconds));
  }
  spdlog::info("supernet {}: trained {} epoch(s) in {:.0f}s ({:.0f} images/s{}), loss per epoch: {}",
               supernet.checkpoint_id(), summary.epochs_trained_now, summary.seconds,
               summary.images_per_second, ranks, fmt::join(summary.epoch_losses, ", "));
}

std::optional<TrainingRank> run_command_rank() {
  std::optional<TrainingRank> rank = training_rank_from_environment();
  if (rank && rank->rank != 0) {
    throw UsageError("RANK=" + std::to_string(rank->rank) +
                     ": `nas run` is rank 0 (it searches after training); start the other ranks "
                     "with `nas train CONFIG`");
  }
  return rank;
}

}  // namespace nas::cli

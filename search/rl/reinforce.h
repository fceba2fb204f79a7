// A REINFORCE controller (Williams 1992) behind the ask/tell Strategy
// interface, with hardware-aware rewards (reward.h), as in MnasNet and TuNAS.
//
// The policy is a distribution over the space's architectures, one decision
// after another in the space's order:
//   factorized  one vector of logits per decision, independent (TuNAS);
//               starts uniform.
//   lstm        an LSTM cell steps through the active decisions; each step's
//               logits come from a per-decision linear head on the hidden
//               state, squashed as 2.5 * tanh(.) (ENAS), and the chosen
//               choice's embedding is the next input (NASNet/ENAS).
// A decision made inactive by earlier choices is not sampled and adds
// nothing to the log-probability or the entropy (for lstm, the cell skips it).
//
// ask(n) draws n architectures from the current policy, passing over draws
// already proposed by the run (or earlier in the batch), up to kMaxTries per
// candidate: queries are what the budget counts (the Strategy contract asks
// for new candidates). Once the space is exhausted, or the tries run out,
// a repeat is proposed; the loop answers it from the store.
// tell() turns each outcome into a reward R_b, then takes one Adam step on
//     loss = -mean_b[A_b * log p(arch_b)] - entropy_weight * mean_b[H_b]
// with A_b = R_b - baseline (plain REINFORCE, risk_epsilon = 0), or
// A_b = max(R_b - q, 0) with q the batch's (1 - risk_epsilon)-quantile
// (risk-seeking), and moves the baseline:
// baseline = d * baseline + (1 - d) * mean_b R_b (it starts at the first
// batch's mean). An outcome whose quality or cost is
// unusable (absent from Outcome::values, e.g. a degenerate table entry)
// gets the worst reward told so far, or is left out of the step when no
// reward has been told yet. Constraints of the run do not enter the reward:
// the reward's target is how rl meets a budget.
//
// Determinism: every random draw comes from the strategy's own Rng
// (inverse CDF of the policy's probabilities with nas::uniform_unit), never
// from LibTorch's generators; parameters are initialised from that Rng too
// (zeros for factorized, U(-0.1, 0.1) for lstm); LibTorch runs the
// controller's work on one intra-op thread (restoring the caller's setting
// after each call), so results do not depend on the thread count.
// save_state() holds the parameters, Adam's moments and steps, the baseline,
// the generator and any pending candidates, bit for bit, so a run resumed
// from a stored step continues exactly as if never stopped.
//
// This header is free of LibTorch; the policy lives in the .cpp files.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/config.h"
#include "search/rl/reward.h"
#include "search/strategy.h"

namespace nas {

struct ReinforceOptions {
  RewardInputs reward;                    // quality metric and goal, reward type, cost metric, T
  std::string controller = "factorized";  // factorized | lstm
  std::int64_t lstm_hidden = 32;          // lstm: hidden and embedding size
  double learning_rate = 0.5;             // Adam's step size (betas 0.9, 0.999; eps 1e-8)
  double entropy_weight = 0;              // bonus on the mean entropy, in reward units
  double baseline_decay = 0.9;            // in [0, 1)
  // In (0, 1]: risk-seeking policy gradient (Petersen et al., ICLR 2021):
  // each batch's (1 - epsilon)-quantile reward replaces the baseline and only
  // samples at or above it are reinforced, which optimises the best samples
  // rather than the mean. 0 = plain REINFORCE with the moving-average baseline.
  double risk_epsilon = 0.1;
};

// The options of a run's config: the search section's rl keys and the first
// objective as the quality. REQUIRES: config.search.strategy == "rl" and a
// validated config (at least one objective).
ReinforceOptions reinforce_options(const RunConfig& config);

class Reinforce : public Strategy {
 public:
  // Candidates per step when the config leaves `batch` at 0.
  static constexpr std::size_t kDefaultBatch = 60;
  // Draws per candidate before a repeat is proposed.
  static constexpr std::size_t kMaxTries = 50;

  // `space` must outlive the strategy. Throws nas::Error for an unknown
  // controller or reward type.
  Reinforce(ReinforceOptions options, const SearchSpace& space, std::uint64_t seed);
  ~Reinforce() override;
  Reinforce(const Reinforce&) = delete;
  Reinforce& operator=(const Reinforce&) = delete;

  std::string name() const override { return "rl"; }
  std::vector<Candidate> ask(std::size_t n) override;
  // Throws nas::Error if the outcomes do not match the last ask.
  void tell(const std::vector<Outcome>& outcomes) override;
  nlohmann::json save_state() const override;
  void load_state(const nlohmann::json& state) override;

  // The policy's probability of `arch` (canonicalised first). For tests and
  // studies; does not touch the generator.
  double probability(const Arch& arch) const;
  // Policy updates taken so far, and the current baseline (NaN before the first).
  std::int64_t updates() const;
  double baseline() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// make_strategy for the torch side: the Reinforce strategy of `config`.
std::unique_ptr<Strategy> make_rl_strategy(const RunConfig& config, const SearchSpace& space);

}  // namespace nas

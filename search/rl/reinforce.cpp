#include "search/rl/reinforce.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <ATen/Parallel.h>
#include <torch/torch.h>
#include <torch/version.h>

#include "core/errors.h"
#include "search/rl/blob_codec.h"
#include "search/operators.h"
#include "search/rl/policy.h"
#include "search/state_codec.h"

namespace nas {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
const std::string kWho = "rl";

// Runs the controller's LibTorch work on one intra-op thread, so that its
// floating-point results cannot depend on how work is split, and gives the
// caller's setting back afterwards.
class OneThread {
 public:
  OneThread() : previous_(at::get_num_threads()) {
    if (previous_ != 1) at::set_num_threads(1);
  }
  ~OneThread() {
    if (previous_ != 1) at::set_num_threads(previous_);
  }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int previous_;
};

// LibTorch's errors stop here, re-raised as ours with context.
template <typename F>
auto guarded(const char* what, F&& f) -> decltype(f()) {
  try {
    OneThread one_thread;
    return f();
  } catch (const c10::Error& e) {
    throw Error(std::string("rl controller: ") + what + ": " + e.what_without_backtrace());
  }
}

std::vector<float> floats_of(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat).contiguous().view(-1);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor tensor_like(const torch::Tensor& like, const std::string& text,
                          const std::string& what) {
  std::vector<float> values =
      decode_floats(text, static_cast<std::size_t>(like.numel()), what);
  return torch::from_blob(values.data(), like.sizes(), torch::kFloat).clone();
}

// The optimizer's state key of a parameter: its TensorImpl's address,
// spelled as a string by LibTorch 1.x and as the pointer itself by 2.x.
auto adam_key(const torch::Tensor& p) {
#if TORCH_VERSION_MAJOR >= 2
  return static_cast<void*>(p.unsafeGetTensorImpl());
#else
  return c10::guts::to_string(p.unsafeGetTensorImpl());
#endif
}

}  // namespace

struct Reinforce::Impl {
  Impl(ReinforceOptions o, const SearchSpace& s, std::uint64_t seed)
      : options(std::move(o)), space(s), rng(seed) {
    policy = rl::make_policy(options.controller, space, options.lstm_hidden, rng);
    adam = std::make_unique<torch::optim::Adam>(
        policy->parameters(), torch::optim::AdamOptions(options.learning_rate));
    // Throws now, not at the first tell, for an unknown reward type.
    hardware_reward(options.reward.reward, 1, options.reward.reward.target);
  }

  void update(const std::vector<Arch>& archs, const std::vector<double>& rewards);

  ReinforceOptions options;
  const SearchSpace& space;
  Rng rng;
  std::shared_ptr<rl::Policy> policy;
  std::unique_ptr<torch::optim::Adam> adam;
  double baseline = kNan;      // NaN until the first update
  double worst_reward = kNan;  // lowest reward told so far; NaN = none yet
  std::int64_t updates = 0;
  std::vector<Candidate> pending;
  std::vector<Arch> proposed;  // every architecture proposed, in order
  ArchSet proposed_set;
};

void Reinforce::Impl::update(const std::vector<Arch>& archs, const std::vector<double>& rewards) {
  double mean = 0;
  for (double r : rewards) mean += r;
  mean /= static_cast<double>(rewards.size());
  if (std::isnan(baseline)) baseline = mean;
  // Plain REINFORCE measures each reward against the moving average; the
  // risk-seeking form against the batch's (1 - epsilon)-quantile, keeping
  // only the samples above it.
  double reference = baseline;
  const double epsilon = options.risk_epsilon;
  if (epsilon > 0) {
    std::vector<double> sorted = rewards;
    std::sort(sorted.begin(), sorted.end());
    const double pos = (1 - epsilon) * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    reference = sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
  }
  std::vector<float> advantages;
  for (double r : rewards) {
    const double a = epsilon > 0 ? std::max(r - reference, 0.0) : r - baseline;
    advantages.push_back(static_cast<float>(a));
  }

  const rl::ScoredBatch scored = policy->score(archs);
  const torch::Tensor loss = -(torch::tensor(advantages) * scored.log_prob).mean() -
                             options.entropy_weight * scored.entropy.mean();
  adam->zero_grad();
  loss.backward();
  adam->step();
  baseline = options.baseline_decay * baseline + (1 - options.baseline_decay) * mean;
  ++updates;
}

ReinforceOptions reinforce_options(const RunConfig& config) {
  if (config.objectives.empty()) throw Error("a search needs at least one objective");
  ReinforceOptions o;
  o.reward.quality_metric = config.objectives.front().metric;
  o.reward.quality_goal = config.objectives.front().goal;
  o.reward.reward = config.search.reward;
  o.controller = config.search.controller;
  o.lstm_hidden = config.search.lstm_hidden;
  o.learning_rate = config.search.learning_rate;
  o.entropy_weight = config.search.entropy_weight;
  o.baseline_decay = config.search.baseline_decay;
  o.risk_epsilon = config.search.risk_epsilon;
  return o;
}

Reinforce::Reinforce(ReinforceOptions options, const SearchSpace& space, std::uint64_t seed) {
  guarded("setting up the policy",
          [&] { impl_ = std::make_unique<Impl>(std::move(options), space, seed); });
}

Reinforce::~Reinforce() = default;

std::vector<Candidate> Reinforce::ask(std::size_t n) {
  if (n == 0) throw Error("rl: asked for 0 candidates");
  if (!impl_->pending.empty()) throw Error("rl: ask() called again before tell()");
  Impl& s = *impl_;
  // Draws come in chunks of n from the policy, in order; a draw already
  // proposed (or in this batch) is passed over, up to kMaxTries per
  // candidate, after which the repeat is taken.
  const bool exhausted = static_cast<double>(s.proposed_set.size()) >= s.space.cardinality();
  ArchSet batch;
  std::vector<Arch> pool;
  std::size_t next = 0;
  while (s.pending.size() < n) {
    for (std::size_t tries = 1;; ++tries) {
      if (next == pool.size()) {
        pool = guarded("sampling", [&] { return s.policy->sample(n, s.rng); });
        next = 0;
      }
      const Arch& a = pool[next++];
      const bool fresh = !s.proposed_set.contains(a) && !batch.contains(a);
      if (fresh || exhausted || tries >= kMaxTries) {
        batch.insert(a);
        if (s.proposed_set.insert(a)) s.proposed.push_back(a);
        s.pending.push_back(Candidate{a, {}});
        break;
      }
    }
  }
  return s.pending;
}

void Reinforce::tell(const std::vector<Outcome>& outcomes) {
  Impl& s = *impl_;
  if (outcomes.size() != s.pending.size()) {
    throw Error("rl: told " + std::to_string(outcomes.size()) + " outcomes for " +
                std::to_string(s.pending.size()) + " candidates");
  }
  std::vector<std::optional<double>> told;
  for (std::size_t k = 0; k < outcomes.size(); ++k) {
    if (s.space.canonical(outcomes[k].arch) != s.pending[k].arch) {
      throw Error("rl: outcome " + std::to_string(k) + " is not of the candidate asked");
    }
    told.push_back(reward_of(s.options.reward, outcomes[k].values));
  }
  // The worst reward covers unusable outcomes; it includes this batch's.
  for (const auto& r : told) {
    if (r && !(s.worst_reward <= *r)) s.worst_reward = *r;
  }
  std::vector<Arch> archs;
  std::vector<double> rewards;
  for (std::size_t k = 0; k < outcomes.size(); ++k) {
    if (!told[k] && std::isnan(s.worst_reward)) continue;
    archs.push_back(s.pending[k].arch);
    rewards.push_back(told[k] ? *told[k] : s.worst_reward);
  }
  if (!archs.empty()) guarded("updating the policy", [&] { s.update(archs, rewards); });
  s.pending.clear();
}

nlohmann::json Reinforce::save_state() const {
  const Impl& s = *impl_;
  return guarded("saving the policy", [&] {
    nlohmann::json params = nlohmann::json::array();
    nlohmann::json adam = nlohmann::json::array();
    for (const torch::Tensor& p : s.policy->parameters()) {
      params.push_back(encode_floats(floats_of(p)));
      const auto it = s.adam->state().find(adam_key(p));
      if (it == s.adam->state().end()) {
        adam.push_back(nullptr);
        continue;
      }
      const auto& st = static_cast<const torch::optim::AdamParamState&>(*it->second);
      adam.push_back({st.step(), encode_floats(floats_of(st.exp_avg())),
                      encode_floats(floats_of(st.exp_avg_sq()))});
    }
    return nlohmann::json{{"strategy", name()},
                          {"controller", s.options.controller},
                          {"rng", save_rng(s.rng)},
                          {"params", params},
                          {"adam", adam},
                          {"baseline", encode_double(s.baseline)},
                          {"worst_reward", encode_double(s.worst_reward)},
                          {"updates", s.updates},
                          {"proposed", encode_archs(s.proposed)},
                          {"pending", encode_candidates(s.pending)}};
  });
}

void Reinforce::load_state(const nlohmann::json& state) {
  Impl& s = *impl_;
  require_state_of(state, kWho, name());
  if (state_member(state, kWho, "controller") != s.options.controller) {
    throw Error("rl state: the state is of the " +
                state_member(state, kWho, "controller").get<std::string>() +
                " controller, the run uses " + s.options.controller);
  }
  try {
    Rng rng;
    load_rng(rng, state_member(state, kWho, "rng").get<std::string>());
    const double baseline = decode_double(state_member(state, kWho, "baseline").get<std::string>());
    const double worst =
        decode_double(state_member(state, kWho, "worst_reward").get<std::string>());
    const auto updates = state_member(state, kWho, "updates").get<std::int64_t>();
    std::vector<Candidate> pending = decode_candidates(state_member(state, kWho, "pending"), s.space);
    std::vector<Arch> proposed =
        decode_archs(state_member(state, kWho, "proposed").get<std::string>(), s.space);
    const nlohmann::json& params = state_member(state, kWho, "params");
    const nlohmann::json& adam = state_member(state, kWho, "adam");
    guarded("restoring the policy", [&] {
      std::vector<torch::Tensor> ps = s.policy->parameters();
      if (!params.is_array() || params.size() != ps.size() || !adam.is_array() ||
          adam.size() != ps.size()) {
        throw Error("rl state: expected " + std::to_string(ps.size()) +
                    " parameter tensors and as many Adam states");
      }
      // Decode everything before changing anything.
      std::vector<torch::Tensor> values;
      std::vector<std::unique_ptr<torch::optim::AdamParamState>> moments;
      for (std::size_t i = 0; i < ps.size(); ++i) {
        const std::string what = "parameter " + std::to_string(i);
        values.push_back(tensor_like(ps[i], params[i].get<std::string>(), what));
        if (adam[i].is_null()) {
          moments.push_back(nullptr);
          continue;
        }
        if (!adam[i].is_array() || adam[i].size() != 3) {
          throw Error("rl state: the Adam state of " + what + " is malformed");
        }
        auto m = std::make_unique<torch::optim::AdamParamState>();
        m->step(adam[i][0].get<std::int64_t>());
        m->exp_avg(tensor_like(ps[i], adam[i][1].get<std::string>(), what + " (Adam m)"));
        m->exp_avg_sq(tensor_like(ps[i], adam[i][2].get<std::string>(), what + " (Adam v)"));
        moments.push_back(std::move(m));
      }
      torch::NoGradGuard no_grad;
      s.adam->state().clear();
      for (std::size_t i = 0; i < ps.size(); ++i) {
        ps[i].copy_(values[i]);
        if (moments[i]) s.adam->state()[adam_key(ps[i])] = std::move(moments[i]);
      }
    });
    s.rng = rng;
    s.baseline = baseline;
    s.worst_reward = worst;
    s.updates = updates;
    s.pending = std::move(pending);
    s.proposed = std::move(proposed);
    s.proposed_set.clear();
    for (const Arch& a : s.proposed) s.proposed_set.insert(a);
  } catch (const nlohmann::json::exception& e) {
    throw Error("rl state: " + std::string(e.what()));
  }
}

double Reinforce::probability(const Arch& arch) const {
  const Arch a = impl_->space.canonical(arch);
  return guarded("scoring", [&] {
    torch::NoGradGuard no_grad;
    return std::exp(impl_->policy->score({a}).log_prob[0].item<double>());
  });
}

std::int64_t Reinforce::updates() const { return impl_->updates; }
double Reinforce::baseline() const { return impl_->baseline; }

std::unique_ptr<Strategy> make_rl_strategy(const RunConfig& config, const SearchSpace& space) {
  return std::make_unique<Reinforce>(reinforce_options(config), space, config.seed);
}

}  // namespace nas

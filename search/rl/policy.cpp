#include "search/rl/policy.h"

#include "core/errors.h"

namespace nas::rl {
namespace {

namespace F = torch::nn::functional;

// ENAS squashes the controller's logits into [-2.5, 2.5] so that no choice's
// probability reaches 0 or 1 early.
constexpr double kTanhConstant = 2.5;
constexpr double kInitRange = 0.1;

std::vector<double> to_doubles(const torch::Tensor& t) {
  const torch::Tensor d = t.detach().to(torch::kDouble).contiguous().view(-1);
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// Fills every parameter with U(-range, range) drawn from `rng`, in
// registration order, so that initialisation never touches LibTorch's generator.
void init_uniform(torch::nn::Module& module, double range, Rng& rng) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : module.parameters()) {
    std::vector<float> values(static_cast<std::size_t>(p.numel()));
    for (float& v : values) v = static_cast<float>((2 * uniform_unit(rng) - 1) * range);
    p.copy_(torch::from_blob(values.data(), p.sizes(), torch::kFloat));
  }
}

// Independent logits per decision (TuNAS). Starts uniform.
class FactorizedPolicy : public Policy {
 public:
  explicit FactorizedPolicy(const SearchSpace& space) : space_(space) {
    for (std::size_t i = 0; i < space.num_decisions(); ++i) {
      const auto n = static_cast<std::int64_t>(space.decision(i).choices.size());
      logits_.push_back(register_parameter("logits_" + std::to_string(i), torch::zeros({n})));
    }
  }

  std::vector<Arch> sample(std::size_t n, Rng& rng) override {
    torch::NoGradGuard no_grad;
    std::vector<std::vector<double>> probs;
    for (const torch::Tensor& l : logits_) probs.push_back(to_doubles(torch::softmax(l, 0)));
    std::vector<Arch> out;
    for (std::size_t k = 0; k < n; ++k) {
      Arch arch;
      arch.choices.assign(space_.num_decisions(), 0);
      for (std::size_t i = 0; i < space_.num_decisions(); ++i) {
        if (space_.is_active(arch, i)) arch.choices[i] = static_cast<int>(draw(probs[i], rng));
      }
      out.push_back(std::move(arch));
    }
    return out;
  }

  ScoredBatch score(const std::vector<Arch>& archs) override {
    const auto batch = static_cast<std::int64_t>(archs.size());
    torch::Tensor log_prob = torch::zeros({batch});
    torch::Tensor entropy = torch::zeros({batch});
    for (std::size_t i = 0; i < space_.num_decisions(); ++i) {
      const torch::Tensor log_p = torch::log_softmax(logits_[i], 0);
      const torch::Tensor h = -(log_p.exp() * log_p).sum();
      std::vector<std::int64_t> index(archs.size());
      std::vector<float> active(archs.size());
      for (std::size_t b = 0; b < archs.size(); ++b) {
        const bool on = space_.is_active(archs[b], i);
        index[b] = on ? archs[b].choices[i] : 0;
        active[b] = on ? 1.0f : 0.0f;
      }
      const torch::Tensor mask = torch::tensor(active);
      log_prob = log_prob + log_p.index_select(0, torch::tensor(index)) * mask;
      entropy = entropy + h * mask;
    }
    return {log_prob, entropy};
  }

 private:
  const SearchSpace& space_;
  std::vector<torch::Tensor> logits_;
};

// An LSTM that steps through the active decisions (NASNet, ENAS).
class LstmPolicy : public Policy {
 public:
  LstmPolicy(const SearchSpace& space, std::int64_t hidden, Rng& rng)
      : space_(space), hidden_(hidden) {
    start_ = register_parameter("start", torch::zeros({1, hidden}));
    cell_ = register_module("cell", torch::nn::LSTMCell(hidden, hidden));
    for (std::size_t i = 0; i < space.num_decisions(); ++i) {
      const auto n = static_cast<std::int64_t>(space.decision(i).choices.size());
      const std::string s = std::to_string(i);
      embed_.push_back(register_parameter("embed_" + s, torch::zeros({n, hidden})));
      head_w_.push_back(register_parameter("head_w_" + s, torch::zeros({n, hidden})));
      head_b_.push_back(register_parameter("head_b_" + s, torch::zeros({n})));
    }
    init_uniform(*this, kInitRange, rng);
  }

  std::vector<Arch> sample(std::size_t n, Rng& rng) override {
    torch::NoGradGuard no_grad;
    std::vector<Arch> archs(n);
    for (Arch& a : archs) a.choices.assign(space_.num_decisions(), 0);
    walk(archs, &rng);
    return archs;
  }

  ScoredBatch score(const std::vector<Arch>& archs) override {
    std::vector<Arch> copy = archs;
    return walk(copy, nullptr);
  }

 private:
  // Runs the cell over the whole batch, decision by decision. A row for
  // which decision i is inactive keeps its state and input and gains no
  // log-probability or entropy, as if the cell had skipped it. With `rng`,
  // each active row's choice is drawn (rows in order) and written into
  // `archs`, so later decisions see it; without, the given choices are scored.
  ScoredBatch walk(std::vector<Arch>& archs, Rng* rng) {
    const auto batch = static_cast<std::int64_t>(archs.size());
    torch::Tensor h = torch::zeros({batch, hidden_});
    torch::Tensor c = torch::zeros({batch, hidden_});
    torch::Tensor x = start_.expand({batch, hidden_});
    torch::Tensor log_prob = torch::zeros({batch});
    torch::Tensor entropy = torch::zeros({batch});
    for (std::size_t i = 0; i < space_.num_decisions(); ++i) {
      std::vector<float> active(archs.size());
      bool any = false;
      for (std::size_t b = 0; b < archs.size(); ++b) {
        active[b] = space_.is_active(archs[b], i) ? 1.0f : 0.0f;
        any = any || active[b] > 0;
      }
      if (!any) continue;
      const torch::Tensor mask = torch::tensor(active);
      const torch::Tensor row_mask = mask.unsqueeze(1);
      torch::Tensor h_next, c_next;
      std::tie(h_next, c_next) = cell_->forward(x, std::make_tuple(h, c));
      const torch::Tensor logits =
          kTanhConstant * torch::tanh(F::linear(h_next, head_w_[i], head_b_[i]));
      const torch::Tensor log_p = torch::log_softmax(logits, 1);
      if (rng) {
        const std::vector<double> probs = to_doubles(log_p.exp());
        const std::size_t n = space_.decision(i).choices.size();
        for (std::size_t b = 0; b < archs.size(); ++b) {
          if (active[b] == 0) continue;
          const std::vector<double> row(probs.begin() + static_cast<std::ptrdiff_t>(b * n),
                                        probs.begin() + static_cast<std::ptrdiff_t>((b + 1) * n));
          archs[b].choices[i] = static_cast<int>(draw(row, *rng));
        }
      }
      std::vector<std::int64_t> index(archs.size());
      for (std::size_t b = 0; b < archs.size(); ++b) index[b] = active[b] > 0 ? archs[b].choices[i] : 0;
      const torch::Tensor chosen = torch::tensor(index);
      log_prob = log_prob + log_p.gather(1, chosen.unsqueeze(1)).squeeze(1) * mask;
      entropy = entropy - (log_p.exp() * log_p).sum(1) * mask;
      h = row_mask * h_next + (1 - row_mask) * h;
      c = row_mask * c_next + (1 - row_mask) * c;
      x = row_mask * embed_[i].index_select(0, chosen) + (1 - row_mask) * x;
    }
    return {log_prob, entropy};
  }

  const SearchSpace& space_;
  std::int64_t hidden_;
  torch::Tensor start_;
  torch::nn::LSTMCell cell_{nullptr};
  std::vector<torch::Tensor> embed_, head_w_, head_b_;
};

}  // namespace

std::size_t draw(const std::vector<double>& probs, Rng& rng) {
  double total = 0;
  for (double p : probs) total += p;
  const double u = uniform_unit(rng) * total;
  double cumulative = 0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] <= 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last;  // rounding left u at the very top
}

std::shared_ptr<Policy> make_policy(const std::string& controller, const SearchSpace& space,
                                    std::int64_t lstm_hidden, Rng& rng) {
  if (controller == "factorized") return std::make_shared<FactorizedPolicy>(space);
  if (controller == "lstm") return std::make_shared<LstmPolicy>(space, lstm_hidden, rng);
  throw Error("unknown rl controller '" + controller + "' (expected factorized or lstm)");
}

}  // namespace nas::rl

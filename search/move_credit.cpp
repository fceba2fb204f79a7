#include "search/move_credit.h"

#include "core/errors.h"

namespace nas {
namespace {

constexpr double kPriorSuccesses = 1;
constexpr double kPriorTrials = 2;

}  // namespace

MoveCredit::MoveCredit(const SearchSpace& space) : space_(&space) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < space.num_decisions(); ++i) {
    offsets_.push_back(total);
    total += space.decision(i).choices.size();
  }
  successes_.assign(total, kPriorSuccesses);
  trials_.assign(total, kPriorTrials);
}

double MoveCredit::rate(const Move& move) const {
  const std::size_t i = index(move);
  return successes_[i] / trials_[i];
}

std::optional<Move> MoveCredit::draw(const Arch& parent, Rng& rng) const {
  double total = 0;
  for (std::size_t d = 0; d < space_->num_decisions(); ++d) {
    if (!space_->is_active(parent, d)) continue;
    const int n = static_cast<int>(space_->decision(d).choices.size());
    for (int c = 0; c < n; ++c) {
      if (c != parent.choices[d]) total += rate({d, c});
    }
  }
  if (total <= 0) return std::nullopt;
  double target = uniform_unit(rng) * total;
  std::optional<Move> last;
  for (std::size_t d = 0; d < space_->num_decisions(); ++d) {
    if (!space_->is_active(parent, d)) continue;
    const int n = static_cast<int>(space_->decision(d).choices.size());
    for (int c = 0; c < n; ++c) {
      if (c == parent.choices[d]) continue;
      last = Move{d, c};
      target -= rate(*last);
      if (target < 0) return last;
    }
  }
  return last;  // rounding left a sliver at the end
}

void MoveCredit::record(const Move& move, bool success) {
  const std::size_t i = index(move);
  trials_[i] += 1;
  if (success) successes_[i] += 1;
}

nlohmann::json MoveCredit::save() const {
  return {{"successes", successes_}, {"trials", trials_}};
}

void MoveCredit::load(const nlohmann::json& state) {
  auto successes = state.at("successes").get<std::vector<double>>();
  auto trials = state.at("trials").get<std::vector<double>>();
  if (successes.size() != trials_.size() || trials.size() != trials_.size()) {
    throw Error("mutation credit: " + std::to_string(trials.size()) + " moves stored, the space has " +
                std::to_string(trials_.size()));
  }
  successes_ = std::move(successes);
  trials_ = std::move(trials);
}

}  // namespace nas

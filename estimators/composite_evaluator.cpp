#include "estimators/composite_evaluator.h"

#include <algorithm>
#include <map>

#include "core/errors.h"

namespace nas {
namespace {

// One part's share of a composite batch: its requests, submitted when their
// turn comes, and the composite index of each.
struct Share {
  Evaluator* part = nullptr;
  std::vector<EvaluationRequest> requests;
  std::vector<std::size_t> index;  // composite request index of requests[i]
  std::unique_ptr<PendingBatch> pending;

  bool started() const { return pending != nullptr; }
  bool done() const { return started() && pending->done(); }
  void start() {
    if (!pending) pending = part->submit(std::move(requests));
  }
  void take(std::chrono::milliseconds wait, std::vector<Answer>& out) {
    for (Answer& a : pending->collect(wait)) {
      a.request = index.at(a.request);
      out.push_back(std::move(a));
    }
  }
};

class CompositeBatch : public PendingBatch {
 public:
  explicit CompositeBatch(std::vector<Share> shares) : shares_(std::move(shares)) {
    // The boards start at once: they work while this machine scores.
    for (Share& s : shares_) {
      if (s.part->workload() == Workload::kRemote) s.start();
    }
  }

  std::vector<Answer> collect(std::chrono::milliseconds wait) override {
    std::vector<Answer> out;
    for (Share& s : shares_) {
      if (s.started() && !s.done() && s.part->workload() != Workload::kHost) {
        s.take(std::chrono::milliseconds(0), out);
      }
    }
    // The next architecture on every part that computes here, so that its
    // values here are stored together.
    bool computed = false;
    for (Share& s : shares_) {
      if (s.part->workload() != Workload::kHost || s.done()) continue;
      s.start();
      s.take(std::chrono::milliseconds(0), out);
      computed = true;
    }
    if (computed) return out;
    // Nothing left to compute here: the CPU is free for a quiet measurement.
    for (Share& s : shares_) {
      if (s.part->workload() == Workload::kQuietHost) s.start();
    }
    if (!out.empty()) return out;
    std::vector<Share*> waiting;
    for (Share& s : shares_) {
      if (!s.done()) waiting.push_back(&s);
    }
    if (waiting.empty()) return out;
    // Several waiting parts share the wait, so none's answers sit long.
    const auto slice = std::max(std::chrono::milliseconds(1),
                                wait / static_cast<int>(waiting.size()));
    for (Share* s : waiting) {
      s->take(out.empty() ? slice : std::chrono::milliseconds(0), out);
    }
    return out;
  }

  bool done() const override {
    return std::all_of(shares_.begin(), shares_.end(), [](const Share& s) { return s.done(); });
  }

 private:
  std::vector<Share> shares_;
};

}  // namespace

CompositeEvaluator::CompositeEvaluator(std::vector<std::unique_ptr<Evaluator>> parts)
    : parts_(std::move(parts)) {
  if (parts_.empty()) throw Error("a composite evaluator needs at least one evaluator");
  for (const auto& p : parts_) {
    if (!p) throw Error("a composite evaluator got a null evaluator");
  }
}

std::vector<std::string> CompositeEvaluator::metrics() const {
  std::vector<std::string> out;
  for (const auto& p : parts_) {
    for (const std::string& m : p->metrics()) {
      if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    }
  }
  return out;
}

Evaluator& CompositeEvaluator::route(const std::string& metric) const {
  for (const auto& p : parts_) {
    const auto m = p->metrics();
    if (std::find(m.begin(), m.end(), metric) != m.end()) return *p;
  }
  std::string known;
  for (const std::string& m : metrics()) known += (known.empty() ? "" : ", ") + m;
  throw Error("no evaluator provides metric \"" + metric + "\" (there are: " + known + ")");
}

EvaluationKey CompositeEvaluator::key(const std::string& metric) const {
  return route(metric).key(metric);
}

Evaluation CompositeEvaluator::evaluate(const Arch& arch, const std::string& metric) {
  return route(metric).evaluate(arch, metric);
}

std::unique_ptr<PendingBatch> CompositeEvaluator::submit(std::vector<EvaluationRequest> requests) {
  std::map<Evaluator*, std::size_t> share_of;
  std::vector<Share> shares;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Evaluator* part = &route(requests[i].metric);
    auto it = share_of.emplace(part, shares.size()).first;
    if (it->second == shares.size()) shares.push_back(Share{part, {}, {}, nullptr});
    shares[it->second].requests.push_back(std::move(requests[i]));
    shares[it->second].index.push_back(i);
  }
  return std::make_unique<CompositeBatch>(std::move(shares));
}

}  // namespace nas

#include "estimators/evaluator.h"

namespace nas {
namespace {

// The default batch: evaluate() in the requests' order, the next run of
// requests of one architecture per collect(), so that its values are stored
// together (a kill never splits them between two sessions).
class SequentialBatch : public PendingBatch {
 public:
  SequentialBatch(Evaluator& evaluator, std::vector<EvaluationRequest> requests)
      : evaluator_(evaluator), requests_(std::move(requests)) {}

  std::vector<Answer> collect(std::chrono::milliseconds /*wait*/) override {
    std::vector<Answer> out;
    while (!done() && (out.empty() || requests_[next_].arch == requests_[next_ - 1].arch)) {
      const EvaluationRequest& r = requests_[next_];
      out.push_back({next_, evaluator_.evaluate(r.arch, r.metric)});
      ++next_;
    }
    return out;
  }
  bool done() const override { return next_ == requests_.size(); }

 private:
  Evaluator& evaluator_;
  std::vector<EvaluationRequest> requests_;
  std::size_t next_ = 0;
};

}  // namespace

std::unique_ptr<PendingBatch> Evaluator::submit(std::vector<EvaluationRequest> requests) {
  return std::make_unique<SequentialBatch>(*this, std::move(requests));
}

}  // namespace nas

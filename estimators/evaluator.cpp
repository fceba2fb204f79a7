#include "estimators/evaluator.h"

namespace nas {
namespace {

// The default batch: one evaluate() per collect(), in order.
class SequentialBatch : public PendingBatch {
 public:
  SequentialBatch(Evaluator& evaluator, std::vector<EvaluationRequest> requests)
      : evaluator_(evaluator), requests_(std::move(requests)) {}

  std::vector<Answer> collect(std::chrono::milliseconds /*wait*/) override {
    if (done()) return {};
    const EvaluationRequest& r = requests_[next_];
    Answer a{next_, evaluator_.evaluate(r.arch, r.metric)};
    ++next_;
    return {std::move(a)};
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

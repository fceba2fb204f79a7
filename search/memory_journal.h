// A Journal held in memory: for benchmarks and studies that need no store.
// Nothing survives the process.
#pragma once

#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/journal.h"

namespace nas {

class MemoryJournal : public Journal {
 public:
  std::vector<Evaluation> find(const std::string& arch_id) override;
  void record(const SearchSpace& space, const Arch& arch,
              const std::vector<Evaluation>& fresh) override;
  void commit_step(const StepRecord& step) override;
  std::optional<StepRecord> last_step() override;
  std::vector<std::string> queried_archs() override;
  std::string arch_json(const std::string& arch_id) override;

  std::int64_t evaluator_calls() const { return evaluator_calls_; }

 private:
  std::unordered_map<std::string, std::vector<Evaluation>> evaluations_;
  std::unordered_map<std::string, std::string> archs_;
  std::vector<std::string> queried_;
  std::optional<StepRecord> last_;
  std::int64_t evaluator_calls_ = 0;
  std::unordered_set<std::string> called_;  // archs recorded, each one call
};

}  // namespace nas

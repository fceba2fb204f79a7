#include "search/memory_journal.h"

#include "core/errors.h"

namespace nas {

std::vector<Evaluation> MemoryJournal::find(const std::string& arch_id) {
  auto it = evaluations_.find(arch_id);
  return it == evaluations_.end() ? std::vector<Evaluation>{} : it->second;
}

void MemoryJournal::record(const SearchSpace& space, const Arch& arch,
                           const std::vector<Evaluation>& fresh) {
  const std::string id = space.id(arch);
  auto& stored = evaluations_[id];
  for (const Evaluation& e : fresh) {
    for (const Evaluation& s : stored) {
      // Same rule as the store: a value is evaluated once.
      if (s.key == e.key) throw Error("evaluation of " + id + " on " + e.key.metric + " repeats");
    }
    stored.push_back(e);
  }
  archs_.emplace(id, space.canonical_json(arch));
  if (called_.insert(id).second) ++evaluator_calls_;
}

void MemoryJournal::commit_step(const StepRecord& step) {
  for (const HistoryEntry& e : step.entries) {
    if (e.new_query) queried_.push_back(e.arch_id);
  }
  last_ = step;
  last_->entries.clear();  // history is kept in queried_; the state is what resumes
}

std::optional<StepRecord> MemoryJournal::last_step() { return last_; }

std::vector<std::string> MemoryJournal::queried_archs() { return queried_; }

std::string MemoryJournal::arch_json(const std::string& arch_id) {
  auto it = archs_.find(arch_id);
  if (it == archs_.end()) throw Error("architecture " + arch_id + " was never recorded");
  return it->second;
}

}  // namespace nas

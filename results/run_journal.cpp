#include "results/run_journal.h"

#include "core/errors.h"

namespace nas {

RunJournal::RunJournal(Store& store, std::int64_t run_id, std::int64_t session_id)
    : store_(store), run_id_(run_id), session_id_(session_id) {
  store_.require_writable("journal a run");
  if (store_.session_run(session_id) != run_id) {
    throw UsageError("store " + store_.path() + ": session " + std::to_string(session_id) +
                     " does not belong to run " + std::to_string(run_id));
  }
}

std::vector<Evaluation> RunJournal::find(const std::string& arch_id) {
  return store_.evaluations(arch_id);
}

void RunJournal::record(const SearchSpace& space, const Arch& arch,
                        const std::vector<Evaluation>& fresh) {
  store_.record_evaluations(run_id_, session_id_, space, arch, fresh);
}

void RunJournal::commit_step(const StepRecord& step) {
  store_.write_step(run_id_, session_id_, step);
}

std::optional<StepRecord> RunJournal::last_step() { return store_.last_step(run_id_); }

std::vector<std::string> RunJournal::queried_archs() { return store_.queried_archs(run_id_); }

std::string RunJournal::arch_json(const std::string& arch_id) {
  std::optional<std::string> json = store_.arch_json(arch_id);
  if (!json) {
    throw Error("store " + store_.path() + ": architecture " + arch_id + " was never recorded");
  }
  return std::move(*json);
}

}  // namespace nas

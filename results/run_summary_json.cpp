#include "results/run_summary_json.h"

namespace nas {

nlohmann::json run_identity_json(const RunSummary& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"status", s.status},
          {"strategy", s.strategy},
          {"seed", s.seed},
          {"code_version", s.code_version},
          {"config_hash", s.config_hash},
          {"created_at", s.created_at},
          {"finished_at", s.finished_at ? nlohmann::json(*s.finished_at) : nlohmann::json(nullptr)}};
}

}  // namespace nas

#include "core/evaluation.h"

#include "core/errors.h"

namespace nas {

const char* to_string(Source source) {
  switch (source) {
    case Source::kMeasured: return "measured";
    case Source::kPredicted: return "predicted";
    case Source::kSupernet: return "supernet";
    case Source::kTabular: return "tabular";
    case Source::kAnalytic: return "analytic";
    case Source::kFinetuned: return "finetuned";
  }
  return "unknown";
}

Source source_from_string(const std::string& name) {
  for (Source s : {Source::kMeasured, Source::kPredicted, Source::kSupernet, Source::kTabular,
                   Source::kAnalytic, Source::kFinetuned}) {
    if (name == to_string(s)) return s;
  }
  throw Error("unknown evaluation source '" + name + "'");
}

}  // namespace nas

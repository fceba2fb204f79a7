#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/evaluation.h"
#include "core/preferred_value.h"

using nas::Evaluation;
using nas::Source;

namespace {

Evaluation value_of(const std::string& metric, Source source, std::optional<double> value,
                    const std::string& fidelity = "") {
  Evaluation e;
  e.key.metric = metric;
  e.key.source = source;
  e.key.fidelity = fidelity;
  e.value = value;
  return e;
}

}  // namespace

TEST_CASE("the preferred value is a usable one taken on the device, estimates last") {
  const std::vector<Evaluation> values = {
      value_of("raspi4_ms", Source::kPredicted, 10.0),
      value_of("raspi4_ms", Source::kMeasured, std::nullopt),
      value_of("raspi4_ms", Source::kTabular, 12.0),
      value_of("macs", Source::kAnalytic, 3e6),
  };
  const Evaluation* latency = nas::preferred_value(values, "raspi4_ms");
  REQUIRE(latency != nullptr);
  CHECK(latency->key.source == Source::kTabular);  // the failed measurement has no value
  CHECK(nas::preferred_value(values, "energy_mj") == nullptr);
  CHECK(nas::preferred_value({values[0], values[1]}, "raspi4_ms")->key.source ==
        Source::kPredicted);
}

TEST_CASE("a fine-tuned accuracy is never the preferred value, only asked for by name") {
  const std::vector<Evaluation> values = {
      value_of("test_acc", Source::kFinetuned, 0.94, "finetune/aaaa"),
      value_of("test_acc", Source::kSupernet, 0.93),
      value_of("test_acc", Source::kFinetuned, 0.95, "finetune/bbbb"),
      value_of("val_acc", Source::kFinetuned, 0.96, "finetune/bbbb"),
  };
  const Evaluation* inherited = nas::preferred_value(values, "test_acc");
  REQUIRE(inherited != nullptr);
  CHECK(inherited->key.source == Source::kSupernet);
  // An architecture fine-tuned but never scored with inherited weights has no
  // preferred value rather than a fine-tuned one standing in for it.
  CHECK(nas::preferred_value({values[3]}, "val_acc") == nullptr);

  const Evaluation* tuned = nas::fine_tuned_value(values, "test_acc");
  REQUIRE(tuned != nullptr);
  CHECK(tuned->key.fidelity == "finetune/bbbb");  // the latest stored
  CHECK(nas::fine_tuned_value({values[1]}, "test_acc") == nullptr);
}

TEST_CASE("sources round-trip through their stored names") {
  for (Source s : {Source::kMeasured, Source::kPredicted, Source::kSupernet, Source::kTabular,
                   Source::kAnalytic, Source::kFinetuned}) {
    CHECK(nas::source_from_string(nas::to_string(s)) == s);
  }
  CHECK(std::string(nas::to_string(Source::kFinetuned)) == "finetuned");
  CHECK_THROWS_WITH(nas::source_from_string("guessed"), "unknown evaluation source 'guessed'");
}

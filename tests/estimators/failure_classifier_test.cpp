// Learning which cells a device fails on, from measurements that failed.
#include <doctest/doctest.h>

#include <vector>

#include "core/nb201_space.h"
#include "core/random.h"
#include "estimators/evaluator.h"
#include "estimators/failure_classifier.h"
#include "estimators/nb201_cost.h"

using namespace nas;

namespace {

// A device that cannot run a cell with two or more pools reaching its output.
bool fails(const SearchSpace& space, const Arch& arch) {
  return nb201_cost(space, arch).to_output[2] >= 2;
}

}  // namespace

TEST_CASE("the failure classifier risks nothing before it has seen a failure and a success") {
  const SearchSpace space = nb201_space();
  FailureClassifier classifier(space, default_features(space));
  Rng rng(3);
  const Arch a = space.sample(rng), b = space.sample(rng);
  CHECK(classifier.risk(a) == 0.0);
  classifier.add(a, false);
  CHECK(classifier.risk(b) == 0.0);
  classifier.add(b, true);
  CHECK(classifier.failures() == 1);
  CHECK(classifier.examples() == 2);
  CHECK(classifier.risk(b) > classifier.risk(a));
}

TEST_CASE("from 60 measured cells the failure classifier tells most unseen failures apart") {
  const SearchSpace space = nb201_space();
  FailureClassifier classifier(space, default_features(space));
  Rng rng(11);
  for (int i = 0; i < 60; ++i) {
    const Arch arch = space.sample(rng);
    classifier.add(arch, fails(space, arch));
  }
  REQUIRE(classifier.failures() > 5);
  int right = 0, failing = 0, caught = 0;
  const int held_out = 1000;
  for (int i = 0; i < held_out; ++i) {
    const Arch arch = space.sample(rng);
    const bool fail = fails(space, arch);
    const bool predicted = classifier.risk(arch) >= kPredictedToFail;
    right += predicted == fail;
    failing += fail;
    caught += fail && predicted;
  }
  MESSAGE("accuracy " << right << " / " << held_out << ", failures caught " << caught << " / " << failing);
  CHECK(right > 0.85 * held_out);
  CHECK(caught > 0.75 * failing);
}

// What a run optimises: objectives to maximise or minimise and constraints
// that a candidate must meet to be feasible.
#pragma once

#include <string>
#include <vector>

namespace nas {

enum class Goal { kMinimize, kMaximize };

struct Objective {
  std::string metric;  // e.g. "cifar10_test_acc", "raspi4_ms"
  Goal goal = Goal::kMinimize;
};

// Whether `metric` is an accuracy: nas names them *_acc ("cifar10_test_acc"
// from the NB201 table, in percent; "val_acc" and "test_acc" from the
// supernet, as fractions). Models of them fit the error rate.
bool is_accuracy_metric(const std::string& metric);

enum class Bound { kAtMost, kAtLeast };

struct Constraint {
  std::string metric;
  Bound bound = Bound::kAtMost;
  double limit = 0;
  std::string text;  // as written, e.g. "raspi4_ms <= 20"

  // How far `value` is outside the constraint (0 when it holds).
  double violation(double value) const;
};

// Parses "METRIC <= NUMBER" or "METRIC >= NUMBER" (also "<" and ">", taken as
// the inclusive forms). Throws nas::Error describing the expected form.
Constraint parse_constraint(const std::string& text);

}  // namespace nas

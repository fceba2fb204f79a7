#include "core/objectives.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <algorithm>
#include <limits>

#include "core/errors.h"
#include "core/metric.h"

namespace nas {

bool is_accuracy_metric(const std::string& metric) {
  return parse_metric(metric).kind == MetricKind::kAccuracy;
}

double Constraint::violation(double value) const {
  if (std::isnan(value)) return std::numeric_limits<double>::infinity();
  return bound == Bound::kAtMost ? std::max(0.0, value - limit) : std::max(0.0, limit - value);
}

Constraint parse_constraint(const std::string& text) {
  const auto fail = [&]() {
    return Error("expected \"METRIC <= NUMBER\" or \"METRIC >= NUMBER\", got \"" + text + "\"");
  };
  const std::size_t op = text.find_first_of("<>");
  if (op == std::string::npos || op == 0) throw fail();
  Constraint c;
  c.text = text;
  c.bound = text[op] == '<' ? Bound::kAtMost : Bound::kAtLeast;
  std::size_t number_start = op + 1;
  if (number_start < text.size() && text[number_start] == '=') ++number_start;
  std::size_t name_end = op;
  while (name_end > 0 && std::isspace(static_cast<unsigned char>(text[name_end - 1]))) --name_end;
  std::size_t name_start = 0;
  while (name_start < name_end && std::isspace(static_cast<unsigned char>(text[name_start]))) {
    ++name_start;
  }
  c.metric = text.substr(name_start, name_end - name_start);
  for (char ch : c.metric) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') throw fail();
  }
  const std::string number = text.substr(number_start);
  char* end = nullptr;
  c.limit = std::strtod(number.c_str(), &end);
  while (end && *end && std::isspace(static_cast<unsigned char>(*end))) ++end;
  if (c.metric.empty() || end == number.c_str() || (end && *end) || !std::isfinite(c.limit)) {
    throw fail();
  }
  return c;
}

}  // namespace nas

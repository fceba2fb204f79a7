#include "core/json_reader.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "core/json_parse.h"

namespace nas {
namespace {

std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return out;
}

std::string range_text(const char* noun, double min, double max, bool integral) {
  auto fmt = [&](double v) {
    if (integral) return std::to_string(static_cast<long long>(v));
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
  };
  const double lowest = integral ? static_cast<double>(std::numeric_limits<std::int64_t>::min())
                                 : -std::numeric_limits<double>::max();
  const double highest = integral ? static_cast<double>(std::numeric_limits<std::int64_t>::max())
                                  : std::numeric_limits<double>::max();
  std::string out = std::string("expected ") + noun;
  if (min > lowest && max < highest) return out + " in [" + fmt(min) + ", " + fmt(max) + "]";
  if (min > lowest) return out + " >= " + fmt(min);
  if (max < highest) return out + " <= " + fmt(max);
  return out;
}

}  // namespace

std::string describe_json_value(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  try {
    return parse_json(text);
  } catch (const JsonParseError& e) {
    // Turn the byte offset into line and column, which editors understand.
    const std::size_t offset = std::min<std::size_t>(e.byte(), text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw ConfigError(source + ":" + std::to_string(line) + ":" + std::to_string(column),
                      e.what());
  }
}

JsonReader::JsonReader(const nlohmann::json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    throw ConfigError(path_.empty() ? "/" : path_,
                      "expected an object, got " + describe_json_value(value_));
  }
}

bool JsonReader::has(const std::string& key) const { return value_.contains(key); }

std::string JsonReader::path_of(const std::string& key) const {
  // A key is untrusted text: a 10 MB key or one with a NUL must not make
  // the one-line error unreadable.
  return path_ + "/" + printable_excerpt(escape_pointer_token(key));
}

const nlohmann::json* JsonReader::get(const std::string& key) {
  used_.insert(key);
  auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

const nlohmann::json& JsonReader::require(const std::string& key, const std::string& expected) {
  const nlohmann::json* v = get(key);
  if (!v) throw ConfigError(path_of(key), "missing (" + expected + ")");
  return *v;
}

std::string JsonReader::string(const std::string& key, std::optional<std::string> fallback) {
  if (!has(key) && fallback) {
    used_.insert(key);
    return *fallback;
  }
  const auto& v = require(key, "expected a string");
  if (!v.is_string()) {
    throw ConfigError(path_of(key), "expected a string, got " + describe_json_value(v));
  }
  return v.get<std::string>();
}

std::string JsonReader::choice(const std::string& key, const std::vector<std::string>& allowed,
                               std::optional<std::string> fallback) {
  const std::string expected = "expected one of " + quoted_list(allowed);
  if (!has(key) && fallback) {
    used_.insert(key);
    return *fallback;
  }
  const auto& v = require(key, expected);
  if (!v.is_string() ||
      std::find(allowed.begin(), allowed.end(), v.get<std::string>()) == allowed.end()) {
    throw ConfigError(path_of(key), expected + ", got " + describe_json_value(v));
  }
  return v.get<std::string>();
}

std::int64_t JsonReader::integer(const std::string& key, std::int64_t min, std::int64_t max,
                                 std::optional<std::int64_t> fallback) {
  const std::string expected =
      range_text("an integer", static_cast<double>(min), static_cast<double>(max), true);
  if (!has(key) && fallback) {
    used_.insert(key);
    return *fallback;
  }
  const auto& v = require(key, expected);
  bool integral = v.is_number_integer();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    integral = std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15;
  }
  if (!integral) throw ConfigError(path_of(key), expected + ", got " + describe_json_value(v));
  const std::int64_t n = v.is_number_float() ? static_cast<std::int64_t>(v.get<double>())
                         : v.is_number_unsigned()
                             ? static_cast<std::int64_t>(std::min<std::uint64_t>(
                                   v.get<std::uint64_t>(),
                                   static_cast<std::uint64_t>(
                                       std::numeric_limits<std::int64_t>::max())))
                             : v.get<std::int64_t>();
  if (n < min || n > max) {
    throw ConfigError(path_of(key), expected + ", got " + describe_json_value(v));
  }
  return n;
}

double JsonReader::number(const std::string& key, double min, double max,
                          std::optional<double> fallback) {
  const std::string expected = range_text("a number", min, max, false);
  if (!has(key) && fallback) {
    used_.insert(key);
    return *fallback;
  }
  const auto& v = require(key, expected);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < min ||
      v.get<double>() > max) {
    throw ConfigError(path_of(key), expected + ", got " + describe_json_value(v));
  }
  return v.get<double>();
}

bool JsonReader::boolean(const std::string& key, std::optional<bool> fallback) {
  if (!has(key) && fallback) {
    used_.insert(key);
    return *fallback;
  }
  const auto& v = require(key, "expected true or false");
  if (!v.is_boolean()) {
    throw ConfigError(path_of(key), "expected true or false, got " + describe_json_value(v));
  }
  return v.get<bool>();
}

JsonReader JsonReader::object(const std::string& key) {
  const auto& v = require(key, "expected an object");
  return JsonReader(v, path_of(key));
}

void JsonReader::finish() const {
  for (const auto& item : value_.items()) {
    if (used_.count(item.key())) continue;
    std::string best;
    std::size_t best_distance = 3;  // suggest only near misses
    for (const auto& known : used_) {
      const std::size_t d = edit_distance(item.key(), known);
      if (d < best_distance) {
        best_distance = d;
        best = known;
      }
    }
    std::string problem = "unknown key";
    if (!best.empty()) {
      problem += "; did you mean \"" + best + "\"?";
    } else if (!used_.empty()) {
      problem += " (known keys: " +
                 quoted_list(std::vector<std::string>(used_.begin(), used_.end())) + ")";
    }
    throw ConfigError(path_of(item.key()), problem);
  }
}

}  // namespace nas

// Reads one JSON object of a configuration, checking each value as it is
// taken. Every problem is a ConfigError naming the JSON path and what was
// expected, e.g. `/search/population: expected an integer >= 2, got "ten"`.
// finish() rejects keys that nothing asked for, so typos never pass silently.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nas {

class JsonReader {
 public:
  // `path` is the object's JSON pointer ("" for the document root).
  // Throws ConfigError if `value` is not an object.
  JsonReader(const nlohmann::json& value, std::string path);

  bool has(const std::string& key) const;

  // The JSON pointer of `key` inside this object.
  std::string path_of(const std::string& key) const;

  // Each accessor marks `key` as used. Without a default, a missing key is an
  // error; with one, the default is returned.
  std::string string(const std::string& key,
                     std::optional<std::string> fallback = std::nullopt);
  std::string choice(const std::string& key, const std::vector<std::string>& allowed,
                     std::optional<std::string> fallback = std::nullopt);
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max,
                       std::optional<std::int64_t> fallback = std::nullopt);
  double number(const std::string& key, double min, double max,
                std::optional<double> fallback = std::nullopt);
  bool boolean(const std::string& key, std::optional<bool> fallback = std::nullopt);

  // The raw value, or nullptr when absent. Marks `key` as used.
  const nlohmann::json* get(const std::string& key);

  // A nested object; throws if missing or not an object.
  JsonReader object(const std::string& key);

  // Throws ConfigError for the first key that no accessor asked for, with the
  // closest known key as a suggestion.
  void finish() const;

 private:
  const nlohmann::json& require(const std::string& key, const std::string& expected);

  const nlohmann::json& value_;
  std::string path_;
  std::set<std::string> used_;
};

// "got" text for error messages: the value as compact JSON, shortened.
std::string describe_json_value(const nlohmann::json& value);

// Parses JSON text through parse_json (core/json_parse.h): a syntax error,
// a number out of range or nesting beyond kMaxJsonDepth becomes
// ConfigError("<source>:<line>:<col>", "syntax error: ..." or the problem).
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

}  // namespace nas

// The one way untrusted JSON text becomes a JSON value: configuration files,
// stored run configurations and the farm's wire messages all pass here.
//
// Nesting deeper than kMaxJsonDepth is refused while parsing, before the
// tree is built: nlohmann::json copies, compares and prints recursively, so
// a document nested a hundred thousand levels deep would overflow the stack
// later, far from where it entered.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/errors.h"

namespace nas {

// Arrays and objects may nest this deep; no configuration, run document or
// protocol message comes near it (the deepest, a space's options inside a
// JOB, nests about six levels).
constexpr int kMaxJsonDepth = 64;

// JSON text that cannot be parsed. what() is the problem alone, without a
// source ("nested deeper than 64 levels", "syntax error: ..."); callers add
// where the text came from. byte() is the offset of the problem in the text.
class JsonParseError : public Error {
 public:
  JsonParseError(const std::string& problem, std::size_t byte) : Error(problem), byte_(byte) {}
  std::size_t byte() const { return byte_; }

 private:
  std::size_t byte_;
};

// Parses `text` as one JSON document. Throws JsonParseError for a syntax
// error, a number out of range (1e999), or nesting beyond kMaxJsonDepth;
// no nlohmann exception leaves it.
nlohmann::json parse_json(std::string_view text);

// Untrusted text made fit for a one-line error message: control bytes (a
// NUL, a newline) become '?', and text longer than `max_chars` is cut,
// ending in "...".
std::string printable_excerpt(std::string_view text, std::size_t max_chars = 60);

}  // namespace nas

#include "core/json_parse.h"

#include <optional>

namespace nas {
namespace {

// nlohmann's messages read "[json.exception.parse_error.101] parse error at
// line 3, column 5: syntax error while parsing value - invalid literal; last
// read: '...'". Keep what follows the location, without its own "syntax
// error while parsing value - " prefix, and never more than a line's worth
// of the text it quotes.
std::string problem_of(const nlohmann::json::exception& e) {
  std::string why = e.what();
  const std::size_t colon = why.find(": ", why.find("parse error"));
  if (colon != std::string::npos) why = why.substr(colon + 2);
  const std::size_t dash = why.find(" - ");
  if (dash != std::string::npos) why = why.substr(dash + 3);
  const std::size_t bracket = why.find("] ");
  if (why.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) {
    why = why.substr(bracket + 2);  // "number overflow parsing '1e999'"
  }
  return printable_excerpt(why, 160);
}

// Where the first array or object opens at kMaxJsonDepth levels (one too
// deep), if one does. Brackets inside strings do not count; for text that is
// valid JSON this is exactly its nesting, and other text fails the parser.
std::optional<std::size_t> too_deep_at(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (depth++ == kMaxJsonDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace

nlohmann::json parse_json(std::string_view text) {
  // The depth is checked on the text before nlohmann builds anything: its
  // parser callback could count it too, but removes discarded values with a
  // scan of the parent at every closing bracket, quadratic in a long array.
  if (const std::optional<std::size_t> at = too_deep_at(text)) {
    throw JsonParseError("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels", *at);
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonParseError("syntax error: " + problem_of(e), e.byte);
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406: a number too large for a double.
    throw JsonParseError(problem_of(e), 0);
  }
}

std::string printable_excerpt(std::string_view text, std::size_t max_chars) {
  std::string out;
  for (char c : text.substr(0, max_chars)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 32 || u == 127) ? '?' : c;
  }
  if (text.size() > max_chars) out += "...";
  return out;
}

}  // namespace nas

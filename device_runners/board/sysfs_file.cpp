#include "device_runners/board/sysfs_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace nas::sysfs {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\0')) {
    s.pop_back();
  }
  std::size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\t')) ++start;
  return s.substr(start);
}

std::optional<std::string> read_raw(const std::string& path, std::string* why) {
  errno = 0;
  std::ifstream in(path);
  if (!in) {
    if (why) *why = errno ? std::strerror(errno) : "cannot open";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    if (why) *why = errno ? std::strerror(errno) : "read error";
    return std::nullopt;
  }
  return trimmed(text.str());
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end == text.c_str() || *end != '\0') return std::nullopt;
  return v;
}

}  // namespace

std::string read_text(const std::string& path) {
  std::string why;
  auto text = read_raw(path, &why);
  if (!text) throw Error("cannot read " + path + ": " + why);
  return *text;
}

std::optional<std::string> try_read_text(const std::string& path) {
  return read_raw(path, nullptr);
}

double read_number(const std::string& path) {
  const std::string text = read_text(path);
  auto v = parse_number(text);
  if (!v) throw Error(path + ": expected a number, got '" + text.substr(0, 40) + "'");
  return *v;
}

std::uint64_t read_unsigned(const std::string& path) {
  const std::string text = read_text(path);
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || errno != 0 || *end != '\0') {
    throw Error(path + ": expected an unsigned integer, got '" + text.substr(0, 40) + "'");
  }
  return v;
}

std::optional<double> try_read_number(const std::string& path) {
  auto text = try_read_text(path);
  if (!text) return std::nullopt;
  return parse_number(*text);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace nas::sysfs

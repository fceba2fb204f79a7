#include "estimators/block_lut.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace nas {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string strip_comment(const std::string& line) {
  const auto hash = line.find('#');
  return hash == std::string::npos ? line : line.substr(0, hash);
}

}  // namespace

std::string ofa_block_key(const LutBlock& b) {
  std::ostringstream out;
  out << "expanded_conv-input:" << b.in_h << 'x' << b.in_w << 'x' << b.in_c << "-output:" << b.out_h
      << 'x' << b.out_w << 'x' << b.out_c << "-expand:" << b.expand << "-kernel:" << b.kernel
      << "-stride:" << b.stride << "-idskip:" << (b.idskip ? 1 : 0);
  return out.str();
}

BlockLut BlockLut::parse_yaml(const std::string& text, const std::string& origin) {
  BlockLut lut;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  std::string current;
  int current_line = 0;
  bool has_mean = false, has_std = false;
  LutEntry entry;
  auto fail = [&](int line, const std::string& what) {
    throw Error(origin + ":" + std::to_string(line) + ": " + what);
  };
  auto finish = [&] {
    if (current.empty()) return;
    if (!has_mean) fail(current_line, "entry \"" + current + "\" has no mean");
    if (!lut.entries_.emplace(current, entry).second) {
      fail(current_line, "entry \"" + current + "\" appears twice");
    }
  };
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = strip_comment(raw);
    if (trim(line).empty()) continue;
    const bool indented = line[0] == ' ' || line[0] == '\t';
    const std::string body = trim(line);
    if (!indented) {
      if (body.back() != ':') fail(line_no, "expected a key ending in ':', got \"" + body + "\"");
      finish();
      current = body.substr(0, body.size() - 1);
      // Keys may be quoted.
      if (current.size() >= 2 && (current.front() == '"' || current.front() == '\'') &&
          current.back() == current.front()) {
        current = current.substr(1, current.size() - 2);
      }
      current_line = line_no;
      entry = LutEntry();
      has_mean = has_std = false;
      continue;
    }
    if (current.empty()) fail(line_no, "a field before any key");
    const auto colon = body.find(':');
    if (colon == std::string::npos) fail(line_no, "expected \"name: number\", got \"" + body + "\"");
    const std::string name = trim(body.substr(0, colon));
    const std::string value_text = trim(body.substr(colon + 1));
    double value = 0;
    try {
      std::size_t used = 0;
      value = std::stod(value_text, &used);
      if (used != value_text.size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      fail(line_no, "field \"" + name + "\" is not a number: \"" + value_text + "\"");
    }
    if (name == "mean") {
      entry.mean = value;
      has_mean = true;
    } else if (name == "std") {
      entry.std = value;
      has_std = true;
    } else if (name == "var") {
      if (value < 0) fail(line_no, "a negative variance");
      if (!has_std) entry.std = std::sqrt(value);
    } else if (name == "count") {
      entry.count = static_cast<std::int64_t>(value);
    }  // other fields (min, max, ...) are ignored
  }
  finish();
  return lut;
}

BlockLut BlockLut::load_yaml(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("look-up table " + path + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_yaml(text.str(), path);
}

const LutEntry* BlockLut::find(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

Prediction BlockLut::sum(const std::vector<std::string>& keys, double overhead) const {
  Prediction p;
  p.mean = overhead;
  double var = 0;
  for (const std::string& k : keys) {
    const LutEntry* e = find(k);
    if (!e) throw Error("look-up table: no entry \"" + k + "\"");
    p.mean += e->mean;
    var += e->std * e->std;
  }
  p.std = std::sqrt(var);
  return p;
}

Prediction BlockLut::sum(const std::vector<LutBlock>& blocks, double overhead) const {
  std::vector<std::string> keys;
  for (const LutBlock& b : blocks) keys.push_back(ofa_block_key(b));
  return sum(keys, overhead);
}

}  // namespace nas

#include "device_runners/board/tool_parsers.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/text.h"

namespace nas {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Drops log decorations: "[10/03/2024-10:47:59] [I] ", "[ INFO ] ", "INFO: ".
std::string strip_log_prefix(const std::string& line) {
  std::string s = trim(line);
  for (;;) {
    if (!s.empty() && s[0] == '[') {
      const auto close = s.find(']');
      if (close == std::string::npos || close > 40) return s;
      // Keep "[Step 11/11] ..." headers recognisable: only drop pure tags.
      if (starts_with(s, "[Step")) return s;
      s = trim(s.substr(close + 1));
    } else if (starts_with(s, "INFO: ") || starts_with(s, "VERBOSE: ")) {
      s = trim(s.substr(s.find(' ') + 1));
    } else {
      return s;
    }
  }
}

// A number at the start of `s` (after spaces); `rest` gets what follows.
std::optional<double> leading_number(const std::string& s, std::string* rest = nullptr) {
  const char* begin = s.c_str();
  while (*begin == ' ' || *begin == '\t') ++begin;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  if (end == begin || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  if (rest) *rest = trim(end);
  return v;
}

[[noreturn]] void fail(const std::string& tool, const std::string& what) {
  throw ToolOutputError(tool + " output: " + what);
}

double number_with_unit(const std::string& tool, const std::string& line, const std::string& text,
                        const std::vector<std::pair<std::string, double>>& units) {
  std::string rest;
  auto v = leading_number(text, &rest);
  if (!v) fail(tool, "expected a number in '" + line + "'");
  for (const auto& [unit, scale] : units) {
    if (rest == unit || starts_with(rest, unit + " ") || starts_with(rest, unit + "(")) {
      return *v * scale;
    }
  }
  fail(tool, "unexpected unit in '" + line + "'");
}

void finish_latency(ToolReport& r) {
  r.missing.push_back("samples_ms");
}

// ---- trtexec ---------------------------------------------------------------

// "min = 5.38 ms, max = 13.3 ms, mean = 7.6 ms, median = 7.1 ms, percentile(90%) = 10.2 ms"
nlohmann::json trtexec_stats(const std::string& line, const std::string& text) {
  nlohmann::json stats = nlohmann::json::object();
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    part = trim(part);
    const auto eq = part.find(" = ");
    if (eq == std::string::npos) fail("trtexec", "expected 'name = value ms' in '" + line + "'");
    std::string name = part.substr(0, eq);
    if (starts_with(name, "percentile(") && name.back() == ')') {
      // percentile(90%) -> p90, percentile(99.9%) -> p99.9
      name = "p" + name.substr(11, name.size() - 13);
    }
    stats[name] = number_with_unit("trtexec", line, part.substr(eq + 3), {{"ms", 1.0}});
  }
  return stats;
}

}  // namespace

nlohmann::json ToolReport::to_json() const {
  nlohmann::json j = {{"tool", tool}, {"missing", missing}, {"substitutes", substitutes},
                      {"details", details}};
  if (iterations) j["iterations"] = *iterations;
  if (timed_seconds) j["timed_seconds"] = *timed_seconds;
  if (throughput) j["throughput"] = *throughput;
  return j;
}

ToolReport parse_trtexec(const std::string& output) {
  const std::string tool = "trtexec";
  ToolReport r;
  r.tool = tool;
  const auto lines = lines_of(output);
  std::optional<std::size_t> summary;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string s = strip_log_prefix(lines[i]);
    if (s == "=== Performance summary ===") summary = i;
    // A run that built its engine says at what precisions it allowed TensorRT
    // to build it ("FP32+FP16+INT8"); a run that loads one does not know.
    if (starts_with(s, "Precision: ")) r.details["build_precision"] = trim(s.substr(11));
    if (starts_with(s, "Engine built in ")) {
      r.details["build_seconds"] = number_with_unit(tool, s, s.substr(16), {{"sec.", 1.0}, {"sec", 1.0}});
    }
    if (starts_with(s, "Timing trace has ")) {
      // "Timing trace has 1130 queries over 3.00579 s"
      std::string rest;
      auto n = leading_number(s.substr(17), &rest);
      if (!n || !starts_with(rest, "queries over ")) fail(tool, "cannot read '" + s + "'");
      r.iterations = static_cast<std::int64_t>(*n);
      r.details["trace_seconds"] = number_with_unit(tool, s, rest.substr(13), {{"s", 1.0}});
    }
  }
  if (!summary) {
    fail(tool, "no '=== Performance summary ===' block (TensorRT 8 and newer print it when "
               "the timed run ends; was the run cut short, or is this TensorRT 7?)");
  }
  std::optional<nlohmann::json> latency;
  const std::vector<std::pair<std::string, std::string>> other_stats = {
      {"GPU Compute Time:", "gpu_compute_ms"}, {"Enqueue Time:", "enqueue_ms"},
      {"H2D Latency:", "h2d_ms"},              {"D2H Latency:", "d2h_ms"},
      {"End-to-End Host Latency:", "end_to_end_host_ms"}};
  for (std::size_t i = *summary + 1; i < lines.size(); ++i) {
    const std::string s = strip_log_prefix(lines[i]);
    if (starts_with(s, "=== ")) break;  // the next block
    if (starts_with(s, "Throughput:")) {
      r.throughput = number_with_unit(tool, s, s.substr(11), {{"qps", 1.0}});
    } else if (starts_with(s, "Latency:")) {
      latency = trtexec_stats(s, s.substr(8));
    } else if (starts_with(s, "Total Host Walltime:")) {
      r.timed_seconds = number_with_unit(tool, s, s.substr(20), {{"s", 1.0}, {"ms", 1e-3}});
    } else if (starts_with(s, "Total GPU Compute Time:")) {
      r.details["total_gpu_compute_s"] =
          number_with_unit(tool, s, s.substr(23), {{"s", 1.0}, {"ms", 1e-3}});
    } else {
      for (const auto& [prefix, key] : other_stats) {
        if (starts_with(s, prefix)) r.details[key] = trtexec_stats(s, s.substr(prefix.size()));
      }
    }
  }
  if (!latency) fail(tool, "the performance summary has no 'Latency: min = ...' line");
  for (const char* key : {"min", "max", "mean", "median"}) {
    if (!latency->contains(key)) fail(tool, std::string("the Latency line has no '") + key + " ='");
  }
  r.details["latency_ms"] = *latency;
  r.latency.min_ms = (*latency)["min"];
  r.latency.mean_ms = (*latency)["mean"];
  r.latency.median_ms = (*latency)["median"];
  if (latency->contains("p90")) {
    r.latency.p90_ms = (*latency)["p90"];
  } else {
    r.missing.push_back("p90_ms");  // trtexec before 8.6 prints percentile(99%) only
  }
  r.missing.push_back("std_ms");
  finish_latency(r);
  if (!r.iterations && r.throughput && r.timed_seconds) {
    // trtexec computes throughput as queries / walltime.
    r.iterations = std::llround(*r.throughput * *r.timed_seconds);
    r.details["iterations_from"] = "throughput x Total Host Walltime";
  }
  return r;
}

// ---- benchmark_app -----------------------------------------------------------

ToolReport parse_benchmark_app(const std::string& output) {
  const std::string tool = "benchmark_app";
  ToolReport r;
  r.tool = tool;
  const auto lines = lines_of(output);
  const std::vector<std::pair<std::string, double>> time_units = {
      {"ms", 1.0}, {"us", 1e-3}, {"\xC2\xB5s", 1e-3}};
  std::optional<double> median, mean, p90, min, max;
  bool latency_block = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string s = strip_log_prefix(lines[i]);
    if (starts_with(s, "Count:")) {
      std::string rest;
      auto n = leading_number(s.substr(6), &rest);
      if (!n || rest != "iterations") fail(tool, "cannot read '" + s + "'");
      r.iterations = static_cast<std::int64_t>(*n);
    } else if (starts_with(s, "Duration:")) {
      r.timed_seconds = number_with_unit(tool, s, s.substr(9), {{"ms", 1e-3}, {"s", 1.0}});
    } else if (starts_with(s, "Throughput:")) {
      r.throughput = number_with_unit(tool, s, s.substr(11), {{"FPS", 1.0}});
    } else if (starts_with(s, "First inference took")) {
      r.details["first_inference_ms"] = number_with_unit(tool, s, s.substr(20), time_units);
    } else if (starts_with(s, "Execution Devices:")) {
      r.details["execution_devices"] = trim(s.substr(18));
    } else if (s == "Latency:" && !latency_block) {
      latency_block = true;
      // "Median:", "Average:" (older: "Avg:"), "Min:", "Max:", or "<N> percentile:"
      for (std::size_t j = i + 1; j < lines.size(); ++j) {
        const std::string t = strip_log_prefix(lines[j]);
        const auto colon = t.find(':');
        if (colon == std::string::npos) break;
        const std::string key = t.substr(0, colon);
        const std::string value = t.substr(colon + 1);
        if (key == "Median") {
          median = number_with_unit(tool, t, value, time_units);
        } else if (key == "Average" || key == "Avg") {
          mean = number_with_unit(tool, t, value, time_units);
        } else if (key == "Min") {
          min = number_with_unit(tool, t, value, time_units);
        } else if (key == "Max") {
          max = number_with_unit(tool, t, value, time_units);
        } else if (key.size() > 11 && key.compare(key.size() - 11, 11, " percentile") == 0) {
          const std::string q = key.substr(0, key.size() - 11);
          const double v = number_with_unit(tool, t, value, time_units);
          r.details["latency_ms"]["p" + q] = v;
          if (q == "90") p90 = v;
          if (q == "50") median = v;
        } else {
          break;
        }
        i = j;
      }
    } else if (starts_with(s, "Latency:") && !latency_block) {
      // Releases before 2022 print the median on the same line.
      latency_block = true;
      median = number_with_unit(tool, s, s.substr(8), time_units);
    }
  }
  if (!latency_block) {
    fail(tool, "no 'Latency:' block (a MULTI device reports throughput only; was the run cut "
               "short?)");
  }
  if (!median && !mean) fail(tool, "the Latency block has neither Median nor Average");
  if (median) r.details["latency_ms"]["median"] = *median;
  if (mean) r.details["latency_ms"]["mean"] = *mean;
  if (min) r.details["latency_ms"]["min"] = *min;
  if (max) r.details["latency_ms"]["max"] = *max;
  if (median) {
    r.latency.median_ms = *median;
  } else {
    r.latency.median_ms = *mean;
    r.substitutes["median_ms"] = "mean (benchmark_app printed a percentile instead of the median)";
  }
  if (mean) r.latency.mean_ms = *mean; else r.missing.push_back("mean_ms");
  if (p90) r.latency.p90_ms = *p90; else r.missing.push_back("p90_ms");
  if (min) r.latency.min_ms = *min; else r.missing.push_back("min_ms");
  r.missing.push_back("std_ms");
  finish_latency(r);
  return r;
}

// ---- benchmark_model ---------------------------------------------------------

namespace {

// "count=50 first=39195 curr=37526 min=37464 max=39195 avg=37625.7 std=453"
// or "count=5 curr=37000(all same)"
nlohmann::json benchmark_model_stats(const std::string& line) {
  const std::string tool = "benchmark_model";
  nlohmann::json stats = nlohmann::json::object();
  std::istringstream words(line.substr(line.find("count=")));
  std::string word;
  bool all_same = false;
  while (words >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    std::string value = word.substr(eq + 1);
    if (value.find("(all") != std::string::npos) {
      all_same = true;
      value = value.substr(0, value.find('('));
    }
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0') fail(tool, "cannot read '" + word + "' in '" + line + "'");
    stats[word.substr(0, eq)] = v;
  }
  if (line.find("(all same)") != std::string::npos) all_same = true;
  if (!stats.contains("count")) fail(tool, "no count= in '" + line + "'");
  if (all_same && stats.contains("curr")) {
    for (const char* k : {"first", "min", "max", "avg"}) stats[k] = stats["curr"];
    stats["std"] = 0.0;
  }
  return stats;
}

}  // namespace

ToolReport parse_benchmark_model(const std::string& output) {
  const std::string tool = "benchmark_model";
  ToolReport r;
  r.tool = tool;
  const auto lines = lines_of(output);
  // Each "Running benchmark for at least ..." (warm-up, then the timed run)
  // is followed by its statistics line; the last one is the timed run.
  std::vector<nlohmann::json> phases;
  bool pending = false;
  for (const auto& line : lines) {
    const std::string s = strip_log_prefix(line);
    if (starts_with(s, "Running benchmark for at least")) {
      pending = true;
    } else if (pending && starts_with(s, "count=")) {
      phases.push_back(benchmark_model_stats(s));
      pending = false;
    } else if (s.find("timings in us:") != std::string::npos) {
      // "Inference timings in us: Init: 4183, First inference: 39195, Warmup (avg): 37625.7,
      //  Inference (avg): 37543.2"  (older: "Average inference timings in us: Warmup: ...")
      std::stringstream parts(s.substr(s.find("timings in us:") + 14));
      std::string part;
      while (std::getline(parts, part, ',')) {
        const auto colon = part.rfind(':');
        if (colon == std::string::npos) continue;
        auto v = leading_number(part.substr(colon + 1));
        if (v) r.details["timings_us"][trim(part.substr(0, colon))] = *v;
      }
    }
  }
  if (phases.empty()) {
    fail(tool, "no 'count=... avg=... std=...' line after 'Running benchmark for at least ...'"
               " (was the run cut short?)");
  }
  const nlohmann::json& run = phases.back();
  if (phases.size() >= 2) r.details["warmup_us"] = phases[phases.size() - 2];
  r.details["inference_us"] = run;
  const double count = run["count"];
  if (count < 1) fail(tool, "the timed run has count=0");
  for (const char* key : {"min", "avg", "std"}) {
    if (!run.contains(key)) fail(tool, std::string("the timed run's statistics have no ") + key + "=");
  }
  r.iterations = static_cast<std::int64_t>(count);
  const double avg_ms = run["avg"].get<double>() / 1000.0;
  r.latency.mean_ms = avg_ms;
  r.latency.min_ms = run["min"].get<double>() / 1000.0;
  r.latency.std_ms = run["std"].get<double>() / 1000.0;  // population std, as the tool prints it
  r.latency.median_ms = avg_ms;
  r.substitutes["median_ms"] = "mean (benchmark_model reports no median)";
  r.missing.push_back("p90_ms");
  finish_latency(r);
  r.timed_seconds = count * avg_ms / 1000.0;
  r.details["timed_seconds_from"] = "count x avg (inference time only)";
  if (avg_ms > 0) r.throughput = 1000.0 / avg_ms;
  return r;
}

// ---- edgetpu_compiler -------------------------------------------------------

namespace {

// "3.42MiB", "41.75KiB", "0.00B" in bytes.
double compiler_size(const std::string& line, const std::string& text) {
  return number_with_unit("edgetpu_compiler", line, text,
                          {{"GiB", 1024.0 * 1024 * 1024}, {"MiB", 1024.0 * 1024}, {"KiB", 1024.0},
                           {"B", 1.0}});
}

std::int64_t compiler_count(const std::string& line, const std::string& text) {
  const auto v = leading_number(text);
  if (!v || *v < 0 || *v != std::floor(*v)) fail("edgetpu_compiler", "expected a count in '" + line + "'");
  return static_cast<std::int64_t>(*v);
}

}  // namespace

nlohmann::json EdgeTpuCompilerReport::to_json() const {
  nlohmann::json ops = nlohmann::json::array();
  for (const Operator& o : operators) {
    ops.push_back({{"name", o.name}, {"count", o.count}, {"status", o.status}});
  }
  return {{"compiler_version", compiler_version},
          {"operations", operations},
          {"on_edge_tpu", on_edge_tpu},
          {"on_cpu", on_cpu},
          {"subgraphs", subgraphs},
          {"on_chip_bytes", on_chip_bytes},
          {"on_chip_remaining_bytes", on_chip_remaining_bytes},
          {"off_chip_bytes", off_chip_bytes},
          {"operators", ops}};
}

EdgeTpuCompilerReport parse_edgetpu_compiler(const std::string& output) {
  EdgeTpuCompilerReport r;
  std::optional<std::int64_t> tpu_count, cpu_count;
  bool compiled = false, in_table = false, have_on_chip = false;
  for (const std::string& raw : lines_of(output)) {
    const std::string line = trim(raw);
    const auto after = [&](const std::string& prefix) { return trim(line.substr(prefix.size())); };
    if (starts_with(line, "Edge TPU Compiler version ")) {
      r.compiler_version = after("Edge TPU Compiler version ");
    } else if (starts_with(line, "Model compiled successfully")) {
      compiled = true;
    } else if (starts_with(line, "On-chip memory used for caching model parameters:")) {
      r.on_chip_bytes = compiler_size(line, after("On-chip memory used for caching model parameters:"));
      have_on_chip = true;
    } else if (starts_with(line, "On-chip memory remaining for caching model parameters:")) {
      r.on_chip_remaining_bytes =
          compiler_size(line, after("On-chip memory remaining for caching model parameters:"));
    } else if (starts_with(line, "Off-chip memory used for streaming uncached model parameters:")) {
      r.off_chip_bytes =
          compiler_size(line, after("Off-chip memory used for streaming uncached model parameters:"));
    } else if (starts_with(line, "Number of Edge TPU subgraphs:")) {
      r.subgraphs = compiler_count(line, after("Number of Edge TPU subgraphs:"));
    } else if (starts_with(line, "Total number of operations:")) {
      r.operations = compiler_count(line, after("Total number of operations:"));
    } else if (starts_with(line, "Number of operations that will run on Edge TPU:")) {
      tpu_count = compiler_count(line, after("Number of operations that will run on Edge TPU:"));
    } else if (starts_with(line, "Number of operations that will run on CPU:")) {
      cpu_count = compiler_count(line, after("Number of operations that will run on CPU:"));
    } else if (starts_with(line, "Operator") && line.find("Count") != std::string::npos &&
               line.find("Status") != std::string::npos) {
      in_table = true;
    } else if (in_table && !line.empty()) {
      // "CONV_2D                        30         Mapped to Edge TPU"
      std::istringstream fields(line);
      EdgeTpuCompilerReport::Operator op;
      std::string count;
      fields >> op.name >> count;
      const auto n = leading_number(count);
      if (!n || op.name.empty()) {
        in_table = false;  // the table ended ("Compilation child process completed ...")
        continue;
      }
      op.count = static_cast<std::int64_t>(*n);
      std::getline(fields, op.status);
      op.status = trim(op.status);
      r.operators.push_back(op);
    }
  }
  if (!compiled) fail("edgetpu_compiler", "no 'Model compiled successfully' line");
  if (!have_on_chip) fail("edgetpu_compiler", "no 'On-chip memory used for caching model parameters' line (was -s given?)");
  if (r.operators.empty()) fail("edgetpu_compiler", "no operator table (was -s given?)");
  std::int64_t mapped = 0, other = 0;
  for (const auto& op : r.operators) (op.on_edge_tpu() ? mapped : other) += op.count;
  r.on_edge_tpu = tpu_count.value_or(mapped);
  r.on_cpu = cpu_count.value_or(other);
  if (r.operations == 0) r.operations = mapped + other;
  return r;
}

ToolReport parse_tool_output(const std::string& parser, const std::string& output) {
  if (parser == "trtexec") return parse_trtexec(output);
  if (parser == "benchmark_app") return parse_benchmark_app(output);
  if (parser == "benchmark_model") return parse_benchmark_model(output);
  throw UsageError("unknown output parser '" + parser +
                   "' (expected trtexec, benchmark_app or benchmark_model)");
}

const std::vector<std::string>& tool_parser_names() {
  static const std::vector<std::string> names = {"trtexec", "benchmark_app", "benchmark_model"};
  return names;
}

}  // namespace nas

#include "device_runners/board/command_backend.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/json_reader.h"
#include "device_runners/board/layer_precisions.h"
#include "device_runners/board/power_meter.h"
#include "device_runners/board/power_sampler.h"
#include "device_runners/board/subprocess.h"
#include "device_runners/board/tool_parsers.h"

namespace nas {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string>& placeholder_names() {
  static const std::vector<std::string> names = {
      "onnx",     "workdir",     "output",      "batch",     "threads",     "warmup_runs",
      "warmup_seconds", "warmup_ms", "repeats", "min_seconds", "min_ms", "input_shape",
      "input_shape_csv", "precision", "pipeline_dir", "calibration"};
  return names;
}

const std::regex& placeholder_pattern() {
  static const std::regex pattern("\\{([A-Za-z_]+)\\}");
  return pattern;
}

std::string expand(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), placeholder_pattern());
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out += text.substr(last, static_cast<std::size_t>(m.position()) - last);
    out += values.at(m[1].str());  // validated when the pipeline was read
    last = static_cast<std::size_t>(m.position() + m.length());
  }
  return out + text.substr(last);
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string shape_text(const std::vector<std::int64_t>& shape, char sep) {
  std::string out;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += sep;
    out += std::to_string(shape[i]);
  }
  return out;
}

// A job's folder, removed with everything in it unless kept.
class WorkDir {
 public:
  WorkDir(const std::string& root, bool keep) : keep_(keep) {
    std::string base = root;
    if (base.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp && *tmp ? tmp : "/tmp";
    }
    std::string pattern = base + "/nas-job-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
      throw Error("command backend: cannot create a job folder under " + base + ": " +
                  std::strerror(errno));
    }
    path_ = pattern;
  }
  ~WorkDir() {
    if (keep_) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_;
};

std::string describe_failure(std::size_t index, const std::vector<std::string>& argv,
                             const ProcessResult& run) {
  std::string what = "step " + std::to_string(index + 1) + " (" + argv[0] + ") ";
  if (run.signal) {
    what += "was killed by signal " + std::to_string(run.signal);
  } else {
    what += "exited with status " + std::to_string(run.exit_code);
  }
  return what + "; its last lines:\n" + run.tail(20);
}

// Sleeps `seconds` in short steps; false when cancelled meanwhile.
bool wait_idle(double seconds, const std::function<bool()>& cancelled) {
  const auto until =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < until) {
    if (cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// "int8_input" and "calibration_layout", against the steps: a pipeline that
// quantizes on the board calibrates on the task's images, and only such a
// pipeline is given them.
void check_int8_input(JsonReader& r, CommandPipeline& p, const std::string& calibration_at) {
  const bool runs_int8 =
      std::find(p.precisions.begin(), p.precisions.end(), Precision::kInt8) != p.precisions.end();
  if (r.has("int8_input") && !runs_int8) {
    throw ConfigError(r.path_of("int8_input"),
                      "only int8 jobs have an int8 input, and \"precisions\" has no \"int8\"");
  }
  p.quantizes_on_board = r.choice("int8_input", {"qdq", "fp32"}, "qdq") == "fp32";
  if (p.quantizes_on_board && calibration_at.empty()) {
    throw ConfigError(r.path_of("int8_input"),
                      "a pipeline that quantizes int8 on the board must calibrate on the task's "
                      "images: no step uses {calibration}");
  }
  if (!p.quantizes_on_board && !calibration_at.empty()) {
    throw ConfigError(calibration_at,
                      "{calibration} is given to a pipeline that quantizes on the board "
                      "(\"int8_input\": \"fp32\"); otherwise an int8 job's file is the calibrated "
                      "QDQ file");
  }
  if (r.has("calibration_layout") && calibration_at.empty()) {
    throw ConfigError(r.path_of("calibration_layout"), "no step uses {calibration}");
  }
  p.calibration_nhwc = r.choice("calibration_layout", {"nchw", "nhwc"}, "nchw") == "nhwc";
}

}  // namespace

std::vector<std::string> split_command(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0; else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) throw Error(std::string("unterminated ") + quote + " quote in '" + text + "'");
  if (in_word) words.push_back(word);
  return words;
}

CommandPipeline CommandPipeline::from_json(const nlohmann::json& j) {
  JsonReader r(j, "");
  CommandPipeline p;
  std::error_code error;
  p.directory = std::filesystem::current_path(error).string();
  const std::string steps_path = r.path_of("steps");
  const nlohmann::json* steps = r.get("steps");
  if (!steps) throw ConfigError(steps_path, "missing: the pipeline needs at least one step");
  if (!steps->is_array() || steps->empty()) {
    throw ConfigError(steps_path, "expected a non-empty array of commands, got " +
                                      describe_json_value(*steps));
  }
  const auto& known = placeholder_names();
  std::string calibration_at;  // the first argument naming {calibration}
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const std::string step_path = steps_path + "/" + std::to_string(i);
    const nlohmann::json& step = (*steps)[i];
    std::vector<std::string> argv;
    if (step.is_string()) {
      try {
        argv = split_command(step.get<std::string>());
      } catch (const Error& e) {
        throw ConfigError(step_path, e.what());
      }
    } else if (step.is_array()) {
      for (std::size_t k = 0; k < step.size(); ++k) {
        if (!step[k].is_string()) {
          throw ConfigError(step_path + "/" + std::to_string(k),
                            "expected a string, got " + describe_json_value(step[k]));
        }
        argv.push_back(step[k].get<std::string>());
      }
    } else {
      throw ConfigError(step_path, "expected an argv array or a command string, got " +
                                       describe_json_value(step));
    }
    if (argv.empty() || argv[0].empty()) throw ConfigError(step_path, "empty command");
    for (std::size_t k = 0; k < argv.size(); ++k) {
      const std::string& arg = argv[k];
      for (auto it = std::sregex_iterator(arg.begin(), arg.end(), placeholder_pattern());
           it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[1].str();
        if (name == "calibration" && calibration_at.empty()) {
          calibration_at = step.is_array() ? step_path + "/" + std::to_string(k) : step_path;
        }
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          std::string list;
          for (const auto& n : known) list += (list.empty() ? "{" : ", {") + n + "}";
          throw ConfigError(step.is_array() ? step_path + "/" + std::to_string(k) : step_path,
                            "unknown placeholder {" + name + "} (known: " + list + ")");
        }
      }
    }
    p.steps.push_back(argv);
  }
  p.parser = r.choice("parser", tool_parser_names());
  p.workdir_root = r.string("workdir_root", std::string());
  p.keep_workdir = r.boolean("keep_workdir", false);
  if (const nlohmann::json* precisions = r.get("precisions")) {
    const std::string path = r.path_of("precisions");
    if (!precisions->is_array() || precisions->empty()) {
      throw ConfigError(path, "expected a non-empty array of \"fp32\", \"fp16\", \"int8\", got " +
                                  describe_json_value(*precisions));
    }
    p.precisions.clear();
    for (std::size_t i = 0; i < precisions->size(); ++i) {
      const nlohmann::json& v = (*precisions)[i];
      const std::optional<Precision> precision =
          v.is_string() ? precision_from_string(v.get<std::string>()) : std::nullopt;
      if (!precision) {
        throw ConfigError(path + "/" + std::to_string(i),
                          "expected \"fp32\", \"fp16\" or \"int8\", got " + describe_json_value(v));
      }
      p.precisions.push_back(*precision);
    }
  }
  check_int8_input(r, p, calibration_at);
  if (r.has("energy")) {
    JsonReader e = r.object("energy");
    p.sample_hz = e.number("sample_hz", 10, 1000, 20);
    p.idle_seconds = e.number("idle_seconds", 0, 600, 1);
    e.finish();
  }
  r.finish();
  return p;
}

CommandPipeline CommandPipeline::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, std::string("cannot read the pipeline file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json j = parse_json_text(text.str(), path);
  try {
    CommandPipeline p = from_json(j);
    p.directory = std::filesystem::absolute(std::filesystem::path(path)).parent_path().string();
    return p;
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    const std::string problem = what.substr(std::min(what.size(), e.path().size() + 2));
    throw ConfigError(path + ":" + (e.path().empty() ? "/" : e.path()), problem);
  }
}

CommandBackend::CommandBackend(CommandPipeline pipeline) : pipeline_(std::move(pipeline)) {
  if (pipeline_.steps.empty()) throw Error("command backend: the pipeline has no step");
  const auto& names = tool_parser_names();
  if (std::find(names.begin(), names.end(), pipeline_.parser) == names.end()) {
    throw UsageError("command backend: unknown output parser '" + pipeline_.parser + "'");
  }
}

nlohmann::json CommandBackend::capabilities() const {
  nlohmann::json tools = nlohmann::json::array();
  for (const auto& step : pipeline_.steps) tools.push_back(step[0]);
  nlohmann::json precisions = nlohmann::json::array();
  for (const Precision p : pipeline_.precisions) precisions.push_back(to_string(p));
  nlohmann::json caps = {{"accepts", nlohmann::json::array({"onnx"})},
                         {"parser", pipeline_.parser},
                         {"tools", tools},
                         {"precisions", precisions}};
  if (runs(Precision::kInt8)) caps["int8_input"] = pipeline_.quantizes_on_board ? "fp32" : "qdq";
  return caps;
}

bool CommandBackend::runs(Precision precision) const {
  return std::find(pipeline_.precisions.begin(), pipeline_.precisions.end(), precision) !=
         pipeline_.precisions.end();
}

namespace {

// The values of the pipeline's placeholders ({onnx}, {batch}, ...) for `job`.
std::map<std::string, std::string> placeholder_values(const JobSpec& job,
                                                      const std::string& workdir,
                                                      const std::string& onnx,
                                                      const std::string& pipeline_dir) {
  const MeasureProtocol& p = job.protocol;
  return {{"onnx", onnx},
          {"workdir", workdir},
          {"output", workdir + "/output"},
          {"batch", std::to_string(p.batch_size)},
          {"threads", std::to_string(p.threads)},
          {"warmup_runs", std::to_string(p.warmup_runs)},
          {"warmup_seconds", number_text(p.warmup_seconds)},
          {"warmup_ms", number_text(p.warmup_seconds * 1000)},
          {"repeats", std::to_string(p.repeats)},
          {"min_seconds", number_text(p.min_seconds)},
          {"min_ms", number_text(p.min_seconds * 1000)},
          {"input_shape", shape_text(job.input_shape, 'x')},
          {"input_shape_csv", shape_text(job.input_shape, ',')},
          {"precision", to_string(job.precision)},
          {"pipeline_dir", pipeline_dir},
          {"calibration", workdir + "/calibration.npy"}};
}

// The job's calibration images as a NumPy .npy file (float32, C order), in
// the layout the pipeline's tool reads: the network's NCHW, or NHWC as
// TensorFlow's converters take it.
void write_calibration(const ImageBatch& images, bool nhwc, const std::string& path) {
  const std::int64_t n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
  std::vector<float> values = images.pixels;
  std::vector<std::int64_t> shape = images.shape;
  if (nhwc) {
    shape = {n, h, w, c};
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x)
          for (std::int64_t k = 0; k < c; ++k)
            values[static_cast<std::size_t>(((i * h + y) * w + x) * c + k)] =
                images.pixels[static_cast<std::size_t>(((i * c + k) * h + y) * w + x)];
  }
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (const std::int64_t d : shape) header += std::to_string(d) + ", ";
  header += "), }";
  // Version 1.0: magic, version, a 2-byte header length; the data starts on
  // a 64-byte boundary and the header ends in a newline.
  const std::size_t preamble = 10;
  header.append(63 - (preamble + header.size()) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const std::uint16_t length = static_cast<std::uint16_t>(header.size());
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  out.write(length_bytes, 2);
  out << header;
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!out) throw Error("command backend: cannot write " + path);
}

std::string write_onnx(const JobSpec& job, const WorkDir& dir) {
  const std::string onnx = dir.path() + "/model.onnx";
  std::ofstream out(onnx, std::ios::binary);
  out.write(job.onnx.data(), static_cast<std::streamsize>(job.onnx.size()));
  if (!out) throw Error("command backend: cannot write " + onnx);
  return onnx;
}

// What running the steps left for the report and the energy.
struct StepsRun {
  ProcessResult last;                // the measuring (last) step
  std::optional<double> idle_watts;  // with a meter: idle power before it (0: not measured)
  std::vector<PowerSample> samples;  // with a meter: readings while it ran
};

// The idle power: the meter's mean while waiting idle_seconds (0 when none
// are asked for). False when cancelled while waiting.
bool measure_idle(const CommandPipeline& pipeline, PowerMeter& meter,
                  const std::function<bool()>& cancelled, std::optional<double>& idle_watts) {
  if (pipeline.idle_seconds <= 0) {
    idle_watts = 0.0;
    return true;
  }
  PowerSampler idle(meter, pipeline.sample_hz);
  const bool done = wait_idle(pipeline.idle_seconds, cancelled);
  auto readings = idle.stop();
  if (!done) return false;
  idle_watts = mean_watts(readings);
  return true;
}

// What the Edge TPU compiler mapped where, kept with the measurement: a
// candidate that leaves operations to the CPU is measured as it compiled.
// A report in another format only loses the report, not the measurement.
void add_compiler_report(const std::string& output, JobResult& result) {
  try {
    result.environment["edgetpu_compiler"] = parse_edgetpu_compiler(output).to_json();
  } catch (const ToolOutputError& e) {
    result.environment["edgetpu_compiler_note"] = e.what();
  }
}

// What the runtime says each convolution ran at, with a note when some did
// not run at the job's precision. A report that does not read loses the
// report only, as the compiler's does.
void add_layer_precisions(const LayerPrecisions& layers, Precision precision, JobResult& result) {
  result.environment["layer_precisions"] = layers.to_json(precision);
  if (const auto note = layer_precision_note(layers, precision)) {
    result.environment["layer_precisions_note"] = *note;
    spdlog::warn("job {}: {}", result.job_id, *note);
  }
}

// The file a trtexec step wrote its layer information to, if it was asked to.
std::optional<std::string> trtexec_layer_info_file(const std::vector<std::string>& argv) {
  if (std::filesystem::path(argv[0]).filename() != "trtexec") return std::nullopt;
  const std::string flag = "--exportLayerInfo=";
  for (const std::string& arg : argv) {
    if (arg.compare(0, flag.size(), flag) == 0) return arg.substr(flag.size());
  }
  return std::nullopt;
}

void add_trtexec_layer_info(const std::string& file, const std::string& workdir, Precision precision,
                            JobResult& result) {
  std::filesystem::path path(file);
  if (path.is_relative()) path = std::filesystem::path(workdir) / path;
  std::ifstream in(path);
  if (!in) {
    result.environment["layer_precisions_note"] = "trtexec wrote no layer information to " + path.string();
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    add_layer_precisions(parse_trtexec_layer_info(text.str()), precision, result);
  } catch (const ToolOutputError& e) {
    result.environment["layer_precisions_note"] = e.what();
  }
}

// Runs the pipeline's steps in order, each logged in result.environment
// ["steps"]; with `meter`, the last (measuring) step runs between an idle
// reading and a sampler. What a step reports of the model as built (the
// Edge TPU compiler's mapping, trtexec's layer information for the job's
// `precision`) is kept beside. A cancelled or failing step sets result's
// status and message and gives nothing.
std::optional<StepsRun> run_steps(const CommandPipeline& pipeline,
                                  const std::map<std::string, std::string>& values,
                                  const std::string& workdir, Precision precision, PowerMeter* meter,
                                  const std::function<bool()>& cancelled, JobResult& result) {
  StepsRun run;
  nlohmann::json steps_log = nlohmann::json::array();
  for (std::size_t i = 0; i < pipeline.steps.size(); ++i) {
    std::vector<std::string> argv;
    for (const auto& arg : pipeline.steps[i]) argv.push_back(expand(arg, values));
    const bool measuring = i + 1 == pipeline.steps.size();
    if (measuring && meter) {
      if (!measure_idle(pipeline, *meter, cancelled, run.idle_watts)) {
        result.status = wire::JobStatus::kTimeout;
        result.message = "cancelled while measuring idle power (deadline passed or runner stopping)";
        return std::nullopt;
      }
      PowerSampler sampler(*meter, pipeline.sample_hz);
      run.last = run_process(argv, workdir, cancelled);
      run.samples = sampler.stop();
    } else {
      run.last = run_process(argv, workdir, cancelled);
    }
    steps_log.push_back(
        {{"argv", argv},
         {"seconds", std::chrono::duration<double>(run.last.ended - run.last.started).count()}});
    result.environment["steps"] = steps_log;
    if (run.last.cancelled) {
      result.status = wire::JobStatus::kTimeout;
      result.message = "cancelled during step " + std::to_string(i + 1) + " (" + argv[0] +
                       "): the deadline passed or the runner is stopping";
      return std::nullopt;
    }
    if (!run.last.ok()) {
      result.status = wire::JobStatus::kError;
      result.message = describe_failure(i, argv, run.last);
      return std::nullopt;
    }
    if (std::filesystem::path(argv[0]).filename() == "edgetpu_compiler") {
      add_compiler_report(run.last.output, result);
    }
    if (const auto layer_info = trtexec_layer_info_file(argv)) {
      add_trtexec_layer_info(*layer_info, workdir, precision, result);
    }
  }
  return run;
}

// Energy per inference over the tool's timed loop: the last timed_seconds of
// the measuring step. Absent, with a note saying why, when the tool gave no
// timed window or the meter no reading in it.
void add_energy(const ToolReport& report, const StepsRun& run, const PowerMeter& meter,
                JobResult& result) {
  const bool have_window = report.timed_seconds && *report.timed_seconds > 0 &&
                           report.iterations && *report.iterations > 0;
  if (!have_window) {
    result.environment["energy_note"] =
        "energy absent: the tool reported no timed duration or iteration count";
    return;
  }
  const Clock::time_point begin =
      std::max(run.last.started,
               run.last.ended - std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(*report.timed_seconds)));
  const std::optional<double> active = mean_watts(run.samples, begin, run.last.ended);
  if (!active || !run.idle_watts) {
    result.environment["energy_note"] = "energy absent: the meter gave no reading while the "
                                        "tool's timed loop ran";
    return;
  }
  EnergyStats e;
  e.meter = meter.name();
  e.idle_watts = *run.idle_watts;
  e.active_watts = *active;
  e.seconds = *report.timed_seconds;
  e.runs = *report.iterations;
  e.samples = std::count_if(run.samples.begin(), run.samples.end(), [&](const PowerSample& s) {
    return s.time >= begin && s.time <= run.last.ended;
  });
  const double joules = e.active_watts * e.seconds;
  e.gross_joules_per_inference = joules / static_cast<double>(e.runs);
  e.joules_per_inference = (joules - e.idle_watts * e.seconds) / static_cast<double>(e.runs);
  result.energy = e;
  result.environment["energy_window"] =
      "the last timed_seconds of the measuring step, as the tool reports its timed loop";
}

}  // namespace

JobResult CommandBackend::measure(const JobSpec& job, PowerMeter* meter,
                                  const std::function<bool()>& cancelled) {
  if (job.onnx.empty()) {
    throw UnsupportedJob("the command backend measures ONNX files; job " + job.job_id +
                         " carries none (only an arch)");
  }
  if (!runs(job.precision)) {
    std::string runs;
    for (const Precision p : pipeline_.precisions) runs += (runs.empty() ? "" : ", ") + std::string(to_string(p));
    throw UnsupportedJob(std::string("this pipeline runs ") + runs + "; job " + job.job_id +
                         " asks for " + to_string(job.precision));
  }
  if (job.precision == Precision::kInt8 && pipeline_.quantizes_on_board && !job.calibration) {
    throw UnsupportedJob("this pipeline quantizes int8 on the board from the task's images "
                         "({calibration}); job " + job.job_id +
                         " carries a calibrated QDQ file and no images");
  }
  if (job.calibration && !pipeline_.quantizes_on_board) {
    throw UnsupportedJob("this pipeline runs calibrated QDQ files; job " + job.job_id +
                         " carries an fp32 file and images to quantize it on the board");
  }
  JobResult result;
  result.job_id = job.job_id;
  WorkDir dir(pipeline_.workdir_root, pipeline_.keep_workdir);
  const std::string onnx = write_onnx(job, dir);
  const auto values = placeholder_values(job, dir.path(), onnx, pipeline_.directory);
  if (job.calibration) {
    write_calibration(*job.calibration, pipeline_.calibration_nhwc, values.at("calibration"));
    // What was measured is the board's own quantization of the fp32 file.
    result.environment["int8_input"] = {{"file", "fp32, quantized on the board"},
                                        {"calibration_images", job.calibration->shape[0]}};
  }
  PowerMeter* energy_meter = job.protocol.energy ? meter : nullptr;
  const std::optional<StepsRun> run =
      run_steps(pipeline_, values, dir.path(), job.precision, energy_meter, cancelled, result);
  if (!run) return result;

  ToolReport report;
  try {
    report = parse_tool_output(pipeline_.parser, run->last.output);
  } catch (const ToolOutputError& e) {
    result.status = wire::JobStatus::kError;
    result.message = std::string(e.what()) + "; its last lines:\n" + run->last.tail(20);
    return result;
  }
  report.latency.batch_size = job.protocol.batch_size;
  result.latency = report.latency;
  result.environment["tool"] = report.to_json();
  if (pipeline_.parser == "benchmark_app") {
    if (const auto layers = parse_benchmark_app_counters(run->last.output)) {
      add_layer_precisions(*layers, job.precision, result);
    }
  }
  if (energy_meter) add_energy(report, *run, *energy_meter, result);
  result.status = wire::JobStatus::kOk;
  return result;
}

}  // namespace nas

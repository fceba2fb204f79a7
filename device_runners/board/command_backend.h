// The `command` backend: measures the ONNX file a job carries with the
// board vendor's own tools (trtexec, benchmark_app, edgetpu_compiler and
// benchmark_model...), run as a configured pipeline of commands, and parses
// the last command's output.
//
// Pipeline file (the runner's --pipeline FILE), e.g.
//   {"steps": [["trtexec", "--onnx={onnx}", "--saveEngine={workdir}/m.plan"],
//              ["trtexec", "--loadEngine={workdir}/m.plan", "--iterations={repeats}"]],
//    "parser": "trtexec"}
// A step is an argv array, or one string split at spaces (single or double
// quotes keep spaces). Placeholders, replaced inside any argument:
//   {onnx}           the job's network, written as {workdir}/model.onnx
//   {workdir}        a fresh folder for this job (removed afterwards)
//   {output}         {workdir}/output, for a step's product
//   {batch}          protocol batch size
//   {threads}        protocol threads (0 = the tool's default)
//   {warmup_runs} {warmup_seconds} {warmup_ms} {repeats} {min_seconds} {min_ms}
//   {input_shape}    the job's input shape as 1x3x224x224
//   {input_shape_csv} ... as 1,3,224,224
//   {precision}      the job's precision: fp32, fp16 or int8 (the ONNX file
//                    of an int8 job is a calibrated QDQ file)
//   {pipeline_dir}   the pipeline file's folder, absolute: steps run in
//                    {workdir}, so a tool shipped beside the file is named
//                    from here
//   {calibration}    {workdir}/calibration.npy: the task's calibration
//                    images (float32, normalised as the network takes them),
//                    for a pipeline that quantizes on the board
// Optional keys: "workdir_root" (where job folders go; default $TMPDIR or
// /tmp), "keep_workdir" (false), "energy": {"sample_hz": 20, "idle_seconds": 1},
// "precisions": the precisions the pipeline runs (default ["fp32"]); a job
// at another is answered `unsupported`.
// "int8_input": what an int8 job gives the steps: "qdq" (default), the QDQ
// file the search scored, calibrated already; or "fp32", the fp32 file and
// the images it was calibrated on, for a converter that quantizes by itself
// (the Edge TPU's): such a pipeline must use {calibration}, and only it may.
// "calibration_layout": "nchw" (default) or "nhwc", the .npy file's layout.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "device_runners/board/backend.h"

namespace nas {

struct CommandPipeline {
  std::vector<std::vector<std::string>> steps;  // argv templates
  std::string parser;                           // see tool_parser_names()
  std::string workdir_root;                     // "" = $TMPDIR or /tmp
  bool keep_workdir = false;
  double sample_hz = 20;      // meter reads per second while the last step runs
  double idle_seconds = 1.0;  // idle power measured before the last step
  std::vector<Precision> precisions = {Precision::kFp32};
  bool quantizes_on_board = false;  // "int8_input": "fp32"
  bool calibration_nhwc = false;    // "calibration_layout": "nhwc"
  std::string directory;  // {pipeline_dir}: load()'s file's folder; from_json: the working directory

  // Throws ConfigError naming the JSON path (`/steps/1/0: ...`) of a
  // missing, mistyped or unknown key, an unknown placeholder or parser.
  static CommandPipeline from_json(const nlohmann::json& j);
  // Reads and validates a pipeline file; errors name the file.
  static CommandPipeline load(const std::string& path);
};

// Splits a command template at spaces; '...' and "..." keep spaces.
// Throws Error for an unterminated quote.
std::vector<std::string> split_command(const std::string& text);

class CommandBackend : public Backend {
 public:
  explicit CommandBackend(CommandPipeline pipeline);

  std::string name() const override { return "command"; }
  // {"accepts": ["onnx"], "parser": ..., "tools": [argv[0] of each step],
  //  "precisions": [...]}, and "int8_input" ("qdq" or "fp32") when the
  // pipeline runs int8: what the search side sends an int8 job.
  nlohmann::json capabilities() const override;

  // Runs the pipeline on job.onnx. Latency comes from the tool's report
  // (see ToolReport: fields the tool does not print are listed in
  // environment.tool.missing, never made up). With a meter and
  // protocol.energy, the meter is sampled while the last step runs; energy
  // covers the tool's timed loop, taken as the last timed_seconds before the
  // step ended, divided by the tool's iteration count.
  // A step that fails gives status error with the tool's last lines; a
  // cancelled job gives status timeout. Throws UnsupportedJob for a job
  // without an ONNX file or at a precision the pipeline does not run, and
  // for an int8 job whose file is not the kind "int8_input" says.
  JobResult measure(const JobSpec& job, PowerMeter* meter,
                    const std::function<bool()>& cancelled) override;

  const CommandPipeline& pipeline() const { return pipeline_; }

 private:
  bool runs(Precision precision) const;
  CommandPipeline pipeline_;
};

}  // namespace nas

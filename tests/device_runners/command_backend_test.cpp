// The command backend runs real processes: small shell scripts stand in for
// the vendor tools (which cannot run here) and print their real output format.
#include "device_runners/board/command_backend.h"

#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/errors.h"
#include "device_runners/board/rapl_meter.h"
#include "tests/device_runners/fixtures.h"
#include "tests/device_runners/test_tree.h"

namespace nas {
namespace {

using test::TestTree;
using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

using test::fixture_path;

JobSpec onnx_job() {
  JobSpec job;
  job.job_id = "j1";
  job.onnx = std::string("ONNX\0bytes\xff", 11);
  job.input_shape = {1, 3, 224, 224};
  job.protocol.batch_size = 2;
  job.protocol.threads = 4;
  return job;
}

const auto never = [] { return false; };

TEST_CASE("command: steps run in order with placeholders, the last step's output is parsed") {
  TestTree t;
  const std::string convert = t.script("convert.sh",
                                       "cp \"$1\" \"$2\"\n"
                                       "printf '%s\\n' \"$@\" > convert_args.txt\n");
  const std::string bench = t.script("trtexec.sh",
                                     "printf '%s\\n' \"$@\" > bench_args.txt\n"
                                     "cat '" + fixture_path("trtexec_jetson.txt") + "'\n");
  CommandPipeline p = CommandPipeline::from_json(
      {{"steps",
        {{convert, "{onnx}", "{output}.plan"},
         bench + " --loadEngine={output}.plan --batch={batch} --threads={threads} "
                 "--shapes=input:{input_shape} '--note=a b'"}},
       {"parser", "trtexec"},
       {"workdir_root", t.root()},
       {"keep_workdir", true}});
  CommandBackend backend(p);
  CHECK(backend.capabilities()["accepts"] == nlohmann::json::array({"onnx"}));
  CHECK(backend.capabilities()["tools"][1] == bench);

  const JobResult r = backend.measure(onnx_job(), nullptr, never);
  REQUIRE_MESSAGE(r.status == wire::JobStatus::kOk, r.message);
  REQUIRE(r.latency.has_value());
  CHECK(r.latency->median_ms == doctest::Approx(3.96118));
  CHECK(r.latency->batch_size == 2);
  CHECK_FALSE(r.energy.has_value());
  CHECK(r.environment["tool"]["tool"] == "trtexec");
  CHECK(r.environment["tool"]["iterations"] == 412);
  REQUIRE(r.environment["steps"].size() == 2);

  // The job folder (kept here): the ONNX bytes, and each step's arguments.
  const std::string workdir = r.environment["steps"][0]["argv"][1].get<std::string>();
  const std::string dir = workdir.substr(0, workdir.rfind('/'));
  CHECK(read_file(dir + "/model.onnx") == onnx_job().onnx);
  CHECK(read_file(dir + "/output.plan") == onnx_job().onnx);
  CHECK(read_file(dir + "/bench_args.txt") ==
        "--loadEngine=" + dir + "/output.plan\n--batch=2\n--threads=4\n"
        "--shapes=input:1x3x224x224\n--note=a b\n");
}

TEST_CASE("command: a pipeline runs the precisions it lists, gets {precision}, and refuses the others") {
  TestTree t;
  const std::string bench = t.script("trtexec.sh",
                                     "printf '%s\\n' \"$@\" > bench_args.txt\n"
                                     "cat '" + fixture_path("trtexec_jetson.txt") + "'\n");
  const nlohmann::json steps = nlohmann::json::array({nlohmann::json::array({bench, "--{precision}"})});
  CommandBackend fp32_only(CommandPipeline::from_json(
      {{"steps", steps}, {"parser", "trtexec"}, {"workdir_root", t.root()}}));
  CHECK(fp32_only.capabilities()["precisions"] == nlohmann::json::array({"fp32"}));
  JobSpec job = onnx_job();
  job.precision = Precision::kInt8;
  CHECK_THROWS_WITH_AS(fp32_only.measure(job, nullptr, never),
                       "this pipeline runs fp32; job j1 asks for int8", UnsupportedJob);

  CommandBackend both(CommandPipeline::from_json({{"steps", steps},
                                                  {"parser", "trtexec"},
                                                  {"workdir_root", t.root()},
                                                  {"keep_workdir", true},
                                                  {"precisions", {"fp32", "int8"}}}));
  CHECK(both.capabilities()["precisions"] == nlohmann::json::array({"fp32", "int8"}));
  const JobResult r = both.measure(job, nullptr, never);
  REQUIRE_MESSAGE(r.status == wire::JobStatus::kOk, r.message);
  CHECK(r.environment["steps"][0]["argv"][1] == "--int8");
  job.precision = Precision::kFp16;
  CHECK_THROWS_WITH_AS(both.measure(job, nullptr, never),
                       "this pipeline runs fp32, int8; job j1 asks for fp16", UnsupportedJob);
}

TEST_CASE("command: a pipeline that quantizes on the board gets the fp32 file and the task's images at {calibration}") {
  TestTree t;
  // The converter's stand-in reads the images with NumPy, as onnx2tf does.
  const std::string convert = t.script(
      "onnx2tf.sh",
      "/usr/bin/python3 -c \"import numpy, sys; a = numpy.load(sys.argv[1]); "
      "print(a.dtype, a.shape, ' '.join(repr(float(v)) for v in a.ravel()))\" \"$1\" > seen.txt\n");
  const std::string bench = t.script("benchmark_model",
                                     "cat '" + fixture_path("benchmark_model_edgetpu.txt") + "'\n");
  const nlohmann::json steps = nlohmann::json::array(
      {nlohmann::json::array({convert, "{calibration}"}), nlohmann::json::array({bench})});
  CommandBackend board(CommandPipeline::from_json({{"steps", steps},
                                                   {"parser", "benchmark_model"},
                                                   {"workdir_root", t.root()},
                                                   {"keep_workdir", true},
                                                   {"precisions", {"int8"}},
                                                   {"int8_input", "fp32"},
                                                   {"calibration_layout", "nhwc"}}));
  CHECK(board.capabilities()["int8_input"] == "fp32");
  JobSpec job = onnx_job();
  job.precision = Precision::kInt8;
  job.input_shape = {1, 2, 1, 3};
  // Two images of 2 channels, 1x3 pixels, NCHW: channel 0 then channel 1.
  job.calibration = ImageBatch{{0, 1, 2, 10, 11, 12, -0.5f, 0.25f, 3, 7, 8, 9}, {2, 2, 1, 3}};
  const JobResult r = board.measure(job, nullptr, never);
  REQUIRE_MESSAGE(r.status == wire::JobStatus::kOk, r.message);
  CHECK(r.environment["int8_input"]["calibration_images"] == 2);
  const std::string npy = r.environment["steps"][0]["argv"][1].get<std::string>();
  const std::string dir = npy.substr(0, npy.rfind('/'));
  CHECK(npy == dir + "/calibration.npy");
  CHECK(read_file(dir + "/seen.txt") ==
        "float32 (2, 1, 3, 2) 0.0 10.0 1.0 11.0 2.0 12.0 -0.5 7.0 0.25 8.0 3.0 9.0\n");

  // A QDQ job (no images) is not what this board quantizes from; a QDQ
  // pipeline is not given an fp32 file to run as int8.
  JobSpec qdq = job;
  qdq.calibration.reset();
  CHECK_THROWS_WITH_AS(board.measure(qdq, nullptr, never),
                       doctest::Contains("this pipeline quantizes int8 on the board from the task's "
                                         "images ({calibration}); job j1 carries a calibrated QDQ file"),
                       UnsupportedJob);
  CommandBackend runs_qdq(CommandPipeline::from_json({{"steps", {{bench}}},
                                                      {"parser", "benchmark_model"},
                                                      {"workdir_root", t.root()},
                                                      {"precisions", {"int8"}}}));
  CHECK(runs_qdq.capabilities()["int8_input"] == "qdq");
  CHECK_THROWS_WITH_AS(runs_qdq.measure(job, nullptr, never),
                       doctest::Contains("this pipeline runs calibrated QDQ files; job j1 carries an "
                                         "fp32 file"),
                       UnsupportedJob);
  CHECK(runs_qdq.measure(qdq, nullptr, never).status == wire::JobStatus::kOk);
}

TEST_CASE("command: the Edge TPU compiler's report is kept with the measurement") {
  TestTree t;
  const std::string compiler = t.script("edgetpu_compiler",
                                        "cat '" + fixture_path("edgetpu_compiler_hardswish.txt") + "'\n");
  const std::string bench = t.script("benchmark_model",
                                     "cat '" + fixture_path("benchmark_model_edgetpu.txt") + "'\n");
  CommandBackend backend(CommandPipeline::from_json(
      {{"steps", {{compiler, "-s", "{onnx}"}, {bench}}}, {"parser", "benchmark_model"},
       {"workdir_root", t.root()}}));
  const JobResult r = backend.measure(onnx_job(), nullptr, never);
  REQUIRE_MESSAGE(r.status == wire::JobStatus::kOk, r.message);
  CHECK(r.environment["edgetpu_compiler"]["on_cpu"] == 11);
  CHECK(r.environment["edgetpu_compiler"]["operators"][0]["name"] == "HARD_SWISH");

  // A report in a format the parser does not know loses the report only.
  const std::string odd = t.script("edgetpu_compiler2/edgetpu_compiler", "echo 'compiled, somehow'\n");
  CommandBackend other(CommandPipeline::from_json(
      {{"steps", {{odd, "{onnx}"}, {bench}}}, {"parser", "benchmark_model"}, {"workdir_root", t.root()}}));
  const JobResult measured = other.measure(onnx_job(), nullptr, never);
  REQUIRE_MESSAGE(measured.status == wire::JobStatus::kOk, measured.message);
  CHECK(measured.latency.has_value());
  CHECK(measured.environment["edgetpu_compiler_note"].get<std::string>().find(
            "no 'Model compiled successfully' line") != std::string::npos);
}

TEST_CASE("command: what the runtime says each convolution ran at is kept, and named when not at the job's precision") {
  TestTree t;
  // trtexec builds the int8 engine and writes its layer information where it
  // is asked to; the stand-in writes an engine whose depthwise convolution
  // did not take its QDQ pair.
  const std::string trtexec = t.script(
      "bin/trtexec",
      "for a in \"$@\"; do case \"$a\" in --exportLayerInfo=*) cp '" +
          fixture_path("trtexec_layers_unfused.json") + "' \"${a#--exportLayerInfo=}\";; esac; done\n"
          "cat '" + fixture_path("trtexec_int8.txt") + "'\n");
  CommandBackend backend(CommandPipeline::from_json(
      {{"steps", {{trtexec, "--onnx={onnx}", "--int8", "--profilingVerbosity=detailed",
                   "--exportLayerInfo={workdir}/layers.json"}}},
       {"precisions", {"int8"}},
       {"parser", "trtexec"},
       {"workdir_root", t.root()}}));
  JobSpec job = onnx_job();
  job.precision = Precision::kInt8;
  const JobResult r = backend.measure(job, nullptr, never);
  REQUIRE_MESSAGE(r.status == wire::JobStatus::kOk, r.message);
  CHECK(r.latency->median_ms == doctest::Approx(0.341553));
  CHECK(r.environment["tool"]["details"]["build_precision"] == "FP32+FP16+INT8");
  const nlohmann::json& layers = r.environment["layer_precisions"];
  CHECK(layers["convolutions"] == 6);
  CHECK(layers["not_at_job_precision"][0]["name"] == "block1.depthwise + block1.depthwise_act");
  CHECK(r.environment["layer_precisions_note"].get<std::string>().find(
            "1 of 6 convolutions did not run at int8") == 0);

  // benchmark_app's counters (-pc) on OpenVINO's CPU plugin: all I8, no note.
  const std::string bench = t.script("benchmark_app",
                                     "cat '" + fixture_path("benchmark_app_cpu_int8_pc.txt") + "'\n");
  CommandBackend openvino(CommandPipeline::from_json(
      {{"steps", {{bench, "-m", "{onnx}", "-d", "CPU", "-pc"}}},
       {"precisions", {"int8"}},
       {"parser", "benchmark_app"},
       {"workdir_root", t.root()}}));
  const JobResult cpu = openvino.measure(job, nullptr, never);
  REQUIRE_MESSAGE(cpu.status == wire::JobStatus::kOk, cpu.message);
  CHECK(cpu.environment["layer_precisions"]["by_precision"]["int8"] == 6);
  CHECK_FALSE(cpu.environment.contains("layer_precisions_note"));

  // A trtexec that was asked for layer information and wrote none: a note, the measurement stands.
  const std::string silent = t.script("quiet/trtexec",
                                      "cat '" + fixture_path("trtexec_int8.txt") + "'\n");
  CommandBackend quiet(CommandPipeline::from_json(
      {{"steps", {{silent, "--onnx={onnx}", "--exportLayerInfo=layers.json"}}},
       {"precisions", {"int8"}},
       {"parser", "trtexec"},
       {"workdir_root", t.root()}}));
  const JobResult unreported = quiet.measure(job, nullptr, never);
  REQUIRE_MESSAGE(unreported.status == wire::JobStatus::kOk, unreported.message);
  CHECK(unreported.environment["layer_precisions_note"].get<std::string>().find(
            "trtexec wrote no layer information to ") == 0);
}

TEST_CASE("command: a failing step gives an error with the tool's last lines") {
  TestTree t;
  const std::string tool = t.script("fail.sh",
                                    "i=0; while [ $i -lt 30 ]; do echo \"line $i\"; i=$((i+1)); done\n"
                                    "echo 'Error: unsupported ONNX op HardSwish' >&2\nexit 3\n");
  CommandBackend backend(
      CommandPipeline::from_json({{"steps", {{tool}}}, {"parser", "benchmark_app"},
                                  {"workdir_root", t.root()}}));
  const JobResult r = backend.measure(onnx_job(), nullptr, never);
  CHECK(r.status == wire::JobStatus::kError);
  CHECK(r.message.find("step 1 (" + tool + ") exited with status 3") != std::string::npos);
  CHECK(r.message.find("unsupported ONNX op HardSwish") != std::string::npos);
  CHECK(r.message.find("line 29") != std::string::npos);
  CHECK(r.message.find("line 5\n") == std::string::npos);  // only the last lines
  // The job folder is gone.
  int left = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(t.root())) ++left;
  CHECK(left == 1);  // fail.sh
}

TEST_CASE("command: output the parser cannot read is an error, and a missing tool too") {
  TestTree t;
  const std::string tool = t.script("garbage.sh", "echo 'Segmentation fault (core dumped)?'\n");
  CommandBackend backend(CommandPipeline::from_json(
      {{"steps", {{tool}}}, {"parser", "benchmark_model"}, {"workdir_root", t.root()}}));
  JobResult r = backend.measure(onnx_job(), nullptr, never);
  CHECK(r.status == wire::JobStatus::kError);
  CHECK(r.message.find("benchmark_model output: no 'count=") != std::string::npos);
  CHECK(r.message.find("Segmentation fault") != std::string::npos);

  CommandBackend missing(CommandPipeline::from_json(
      {{"steps", nlohmann::json::array({nlohmann::json::array({"no-such-vendor-tool", "{onnx}"})})}, {"parser", "trtexec"},
       {"workdir_root", t.root()}}));
  CHECK_THROWS_WITH_AS(missing.measure(onnx_job(), nullptr, never),
                       doctest::Contains("command not found: no-such-vendor-tool"), Error);

  JobSpec arch_only = onnx_job();
  arch_only.onnx.clear();
  CHECK_THROWS_AS(backend.measure(arch_only, nullptr, never), UnsupportedJob);
}

TEST_CASE("command: cancelling kills the step's whole process group: status timeout") {
  TestTree t;
  const std::string pidfile = t.path("child.pid");
  const std::string tool =
      t.script("hang.sh", "sleep 60 &\necho $! > '" + pidfile + "'\nsleep 60\n");
  CommandBackend backend(CommandPipeline::from_json(
      {{"steps", {{tool}}}, {"parser", "trtexec"}, {"workdir_root", t.root()}}));
  const auto start = Clock::now();
  const JobResult r = backend.measure(onnx_job(), nullptr,
                                      [&] { return Clock::now() - start > std::chrono::milliseconds(300); });
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  CHECK(r.status == wire::JobStatus::kTimeout);
  CHECK(r.message.find("cancelled during step 1") != std::string::npos);
  CHECK(took < 3.0);
  // The grandchild went with its group (gone, or a zombie awaiting init).
  const pid_t child = std::stoi(read_file(pidfile));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::string stat = read_file("/proc/" + std::to_string(child) + "/stat");
  const bool dead = stat.empty() || stat.find(") Z ") != std::string::npos;
  CHECK(dead);
  if (!dead) ::kill(child, SIGKILL);
}

TEST_CASE("command: energy over the tool's timed loop, from a RAPL tree changing meanwhile") {
  TestTree t;
  t.write("rapl/intel-rapl:0/name", "package-0\n");
  t.write("rapl/intel-rapl:0/max_energy_range_uj", "5000000\n");
  t.write("rapl/intel-rapl:0/energy_uj", "0\n");
  const std::string busy = t.path("busy");
  std::atomic<bool> stop{false};
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  };
  std::thread cpu;
  Joiner joiner{stop, cpu};
  cpu = std::thread([&] {  // 2 W idle; 9 W while the tool's marker file exists
    double uj = 0;
    auto last = Clock::now();
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const auto now = Clock::now();
      const double watts = std::filesystem::exists(busy) ? 9.0 : 2.0;
      uj += watts * std::chrono::duration<double>(now - last).count() * 1e6;
      last = now;
      t.write("rapl/intel-rapl:0/energy_uj",
              std::to_string(static_cast<std::uint64_t>(uj) % 5000000) + "\n");
    }
  });
  // benchmark_app's report: 80 iterations over 800 ms, printed as the loop ends.
  const std::string tool = t.script(
      "benchmark_app.sh", "sleep 0.3\ntouch '" + busy + "'\nsleep 1.0\ncat <<'END'\n"
      "[ INFO ] Count:               80 iterations\n[ INFO ] Duration:            800.00 ms\n"
      "[ INFO ] Latency:\n[ INFO ]    Median:           10.00 ms\n"
      "[ INFO ]    Average:          10.00 ms\n[ INFO ]    Min:              9.50 ms\n"
      "[ INFO ]    Max:              12.00 ms\n[ INFO ] Throughput:          100.00 FPS\nEND\n");
  CommandBackend backend(CommandPipeline::from_json({{"steps", {{tool}}},
                                                     {"parser", "benchmark_app"},
                                                     {"workdir_root", t.root()},
                                                     {"energy", {{"idle_seconds", 0.5}}}}));
  RaplMeter meter(t.path("rapl"));
  JobResult r = backend.measure(onnx_job(), &meter, never);
  REQUIRE_MESSAGE(r.status == wire::JobStatus::kOk, r.message);
  REQUIRE(r.energy.has_value());
  CHECK(r.energy->meter == "rapl");
  CHECK(r.energy->runs == 80);
  CHECK(r.energy->seconds == doctest::Approx(0.8));
  CHECK(r.energy->samples >= 14);
  CHECK(r.energy->idle_watts == doctest::Approx(2.0).epsilon(0.03));
  CHECK(r.energy->active_watts == doctest::Approx(9.0).epsilon(0.05));
  CHECK(r.energy->gross_joules_per_inference == doctest::Approx(9.0 * 0.8 / 80).epsilon(0.05));
  CHECK(r.energy->joules_per_inference == doctest::Approx(7.0 * 0.8 / 80).epsilon(0.06));

  // protocol.energy false: no meter reading, no energy.
  JobSpec job = onnx_job();
  job.protocol.energy = false;
  std::filesystem::remove(busy);
  r = backend.measure(job, &meter, never);
  CHECK_FALSE(r.energy.has_value());
}

TEST_CASE("command pipeline files: errors name the JSON path") {
  const auto error_of = [](const nlohmann::json& j) {
    try {
      CommandPipeline::from_json(j);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of({{"parser", "trtexec"}}).find("/steps: missing") == 0);
  CHECK(error_of({{"steps", nlohmann::json::array()}, {"parser", "trtexec"}}).find("/steps: expected a non-empty array") == 0);
  CHECK(error_of({{"steps", nlohmann::json::array({nlohmann::json::array({"trtexec", 5})})}, {"parser", "trtexec"}}).find("/steps/0/1: expected a string") == 0);
  CHECK(error_of({{"steps", nlohmann::json::array({nlohmann::json::array({"trtexec", "--onnx={onxx}"})})}, {"parser", "trtexec"}})
            .find("/steps/0/1: unknown placeholder {onxx}") == 0);
  CHECK(error_of({{"steps", {"trtexec '--onnx={onnx}"}}, {"parser", "trtexec"}})
            .find("/steps/0: unterminated") == 0);
  CHECK(error_of({{"steps", {{"trtexec"}}}, {"parser", "snpe"}}).find("/parser:") == 0);
  CHECK(error_of({{"steps", {{"trtexec"}}}, {"parser", "trtexec"}, {"parsr", 1}}).find("/parsr") == 0);
  CHECK(error_of({{"steps", {{"trtexec"}}}, {"parser", "trtexec"}, {"energy", {{"sample_hz", 2}}}})
            .find("/energy/sample_hz") == 0);
  CHECK(error_of({{"steps", {{"trtexec"}}}, {"parser", "trtexec"}, {"precisions", {"fp32", "int4"}}})
            .find("/precisions/1: expected \"fp32\", \"fp16\" or \"int8\", got") == 0);
  CHECK(error_of({{"steps", {{"trtexec"}}}, {"parser", "trtexec"}, {"precisions", "int8"}})
            .find("/precisions: expected a non-empty array") == 0);
  // Quantizing on the board takes the task's images, and only then are they given.
  const nlohmann::json uses_calibration = {{"onnx2tf", "-cind", "input", "{calibration}"}, {"benchmark_model"}};
  CHECK(error_of({{"steps", {{"onnx2tf", "{onnx}"}, {"benchmark_model"}}},
                  {"parser", "benchmark_model"},
                  {"precisions", {"int8"}},
                  {"int8_input", "fp32"}}) ==
        "/int8_input: a pipeline that quantizes int8 on the board must calibrate on the task's "
        "images: no step uses {calibration}");
  CHECK(error_of({{"steps", uses_calibration}, {"parser", "benchmark_model"}, {"precisions", {"int8"}}})
            .find("/steps/0/3: {calibration} is given to a pipeline that quantizes on the board") == 0);
  CHECK(error_of({{"steps", uses_calibration}, {"parser", "benchmark_model"}, {"int8_input", "fp32"}}) ==
        "/int8_input: only int8 jobs have an int8 input, and \"precisions\" has no \"int8\"");
  CHECK(error_of({{"steps", uses_calibration}, {"parser", "benchmark_model"}, {"precisions", {"int8"}},
                  {"int8_input", "int4"}})
            .find("/int8_input:") == 0);
  CHECK(error_of({{"steps", {{"trtexec"}}}, {"parser", "trtexec"}, {"calibration_layout", "nhwc"}}) ==
        "/calibration_layout: no step uses {calibration}");
  CHECK(split_command("a 'b c' \"d e\"f  g") == std::vector<std::string>{"a", "b c", "d ef", "g"});

  TestTree t;
  t.write("bad.json", "{\"steps\": [[\"x\"]], \"parser\": 3}");
  CHECK_THROWS_WITH_AS(CommandPipeline::load(t.path("bad.json")),
                       doctest::Contains((t.path("bad.json") + ":/parser").c_str()), ConfigError);
  // Steps run in their job's folder: {pipeline_dir} names what ships beside the file.
  t.write("tool.json", "{\"steps\": [[\"{pipeline_dir}/bench.sh\"]], \"parser\": \"trtexec\"}");
  CHECK(CommandPipeline::load(t.path("tool.json")).directory ==
        std::filesystem::path(t.path("tool.json")).parent_path().string());
  t.write("syntax.json", "{\"steps\": ");
  CHECK_THROWS_WITH_AS(CommandPipeline::load(t.path("syntax.json")),
                       doctest::Contains("syntax.json"), ConfigError);
}

TEST_CASE("the example pipelines under configs/runners/ are valid") {
  for (const char* name : {"jetson-trtexec.json", "jetson-trtexec-int8.json", "ncs2-benchmark_app.json",
                           "coral-edgetpu.json", "cpu-onnxruntime.json"}) {
    CAPTURE(name);
    const auto p = CommandPipeline::load(std::string(NAS_SOURCE_DIR) + "/configs/runners/" + name);
    CHECK_FALSE(p.steps.empty());
  }
  CHECK(CommandPipeline::load(std::string(NAS_SOURCE_DIR) + "/configs/runners/coral-edgetpu.json")
            .parser == "benchmark_model");
  // Each says the precision its device computes at: TensorRT builds an fp16
  // engine, MYRIAD computes fp16, the Edge TPU int8 only.
  const auto precisions_of = [](const std::string& name) {
    return CommandPipeline::load(std::string(NAS_SOURCE_DIR) + "/configs/runners/" + name).precisions;
  };
  CHECK(precisions_of("cpu-onnxruntime.json") == std::vector<Precision>{Precision::kFp32, Precision::kInt8});
  CHECK(precisions_of("jetson-trtexec.json") == std::vector<Precision>{Precision::kFp16});
  // TensorRT's explicit quantization runs the QDQ file as calibrated.
  const auto jetson_int8 =
      CommandPipeline::load(std::string(NAS_SOURCE_DIR) + "/configs/runners/jetson-trtexec-int8.json");
  CHECK(jetson_int8.precisions == std::vector<Precision>{Precision::kInt8});
  CHECK_FALSE(jetson_int8.quantizes_on_board);
  CHECK(precisions_of("ncs2-benchmark_app.json") == std::vector<Precision>{Precision::kFp16});
  CHECK(precisions_of("coral-edgetpu.json") == std::vector<Precision>{Precision::kInt8});
  // The Edge TPU's converter quantizes by itself, on the task's images.
  const auto coral = CommandPipeline::load(std::string(NAS_SOURCE_DIR) + "/configs/runners/coral-edgetpu.json");
  CHECK(coral.quantizes_on_board);
  CHECK(coral.calibration_nhwc);
}

}  // namespace
}  // namespace nas

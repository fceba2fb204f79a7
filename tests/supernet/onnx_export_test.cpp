// ONNX export of extracted subnets, checked by tools outside this project:
// python3-onnx's checker accepts the file and ONNX Runtime computes the same
// logits as LibTorch on the same input; an int8 QDQ file runs on ONNX
// Runtime's integer kernels and predicts as the fake-quantized subnet.
#include "supernet/onnx_export.h"

#include <doctest/doctest.h>

#include <cstring>
#include <fstream>

#include "core/errors.h"
#include "core/random.h"
#include "supernet/fake_quant.h"
#include "supernet/mbv3_supernet.h"
#include "supernet/subnet.h"
#include "tests/supernet/perturbed_supernet.h"
#include "tests/supernet/tiny_options.h"
#include "tests/support/onnx_tools.h"

namespace nas {
namespace {

using test::ProcessResult;
using test::TempDir;

constexpr double kTolerance = 1e-4;  // absolute, on the logits

// The shared tiny layout (every op the exporter writes) with kernels {3, 5}.
Mbv3Options tiny_options() {
  Mbv3Options o = test::tiny_mbv3_options();
  o.kernels = {3, 5};
  return o;
}

// A supernet whose weights and BN statistics are all off their initial
// values, so that BN folding is tested with statistics that matter.
Mbv3Supernet perturbed_supernet(const Mbv3Layout& layout, const SearchSpace& space) {
  torch::manual_seed(7);
  Mbv3Supernet supernet(layout);
  test::perturb(supernet, layout, space, 2, 0.5);
  // Logits of a few units, so that 1e-4 is a tight tolerance on them. (BN
  // statistics, which perturb() set, are before the classifier.)
  torch::NoGradGuard no_grad;
  supernet->classifier->weight.mul_(20);
  return supernet;
}

void write_floats(const std::string& path, const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kFloat32).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(c.data_ptr<float>()),
            static_cast<std::streamsize>(c.numel() * sizeof(float)));
}

torch::Tensor read_floats(const std::string& path, std::vector<std::int64_t> shape) {
  const std::string bytes = test::read_file(path);
  torch::Tensor t = torch::empty(shape, torch::kFloat32);
  REQUIRE(bytes.size() == static_cast<std::size_t>(t.numel()) * sizeof(float));
  std::memcpy(t.data_ptr<float>(), bytes.data(), bytes.size());
  return t;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

torch::Tensor forward(SubnetImpl& net, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return net.forward(x);
}

// One run of `file` in ONNX Runtime on `x`: the logits (x's batch by
// `classes`) and, when `verbose`, the runtime's log of its graph rewrites.
struct OnnxRuntimeRun {
  torch::Tensor logits;
  std::string log;
};
OnnxRuntimeRun run_in_onnxruntime(const TempDir& dir, const std::string& modules,
                                  const std::string& file, const torch::Tensor& x,
                                  std::int64_t classes, bool verbose = false) {
  const std::string in = (dir / "input.f32").string(), out = (dir / "output.f32").string();
  write_floats(in, x);
  std::vector<std::string> args = {"run", file, shape_text(x.sizes().vec()), in, out};
  if (verbose) args.push_back("verbose");
  const ProcessResult ran = test::run_onnxruntime_tool(NAS_SOURCE_DIR, modules, args);
  REQUIRE_MESSAGE(ran.exit_code == 0, ran.err);
  CHECK(ran.out == "output logits " + std::to_string(x.size(0)) + "x" + std::to_string(classes) + "\n");
  return {read_floats(out, {x.size(0), classes}), ran.err};
}

// Whether python3-onnx's checker and ONNX Runtime run here; says why not.
bool onnx_tools_here(const std::string& modules) {
  const std::string missing = test::onnx_tools_missing(modules);
  if (!missing.empty()) MESSAGE("skipped: " << missing);
  return missing.empty();
}

TEST_CASE("an exported subnet passes python3-onnx's checker and ONNX Runtime matches LibTorch") {
  const std::string modules = NAS_ONNXRUNTIME_NODE_MODULES;
  if (!onnx_tools_here(modules)) return;
  const Mbv3Layout layout = mbv3_layout(tiny_options(), 2, 5);
  const SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet = perturbed_supernet(layout, space);
  Rng rng(13);
  std::vector<Arch> archs = {largest_arch(space), smallest_arch(space), space.sample(rng),
                             space.sample(rng)};
  TempDir dir;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    CAPTURE(space.canonical_json(archs[i]));
    const Mbv3Subnet spec = decode_mbv3(space, layout, archs[i]);
    Subnet net = extract_subnet(*supernet, spec);
    OnnxExportOptions options;
    options.batch = 3;
    options.doc = space.canonical_json(archs[i]);
    const OnnxModel model = export_onnx(*net, options);
    CHECK(model.input_shape == std::vector<std::int64_t>{3, 2, spec.resolution, spec.resolution});
    const std::string file = (dir / ("subnet" + std::to_string(i) + ".onnx")).string();
    write_model_file(file, model.bytes);

    const ProcessResult checked = test::check_with_python_onnx(file);
    REQUIRE_MESSAGE(checked.exit_code == 0, checked.err);
    // The largest subnet has every kind of node the exporter writes.
    if (i == 0) {
      CHECK(checked.out == "Add,Conv,Flatten,Gemm,GlobalAveragePool,HardSigmoid,HardSwish,Mul,Relu\n");
    }

    const torch::Tensor x = torch::randn({3, 2, spec.resolution, spec.resolution}) * 1.5;
    const torch::Tensor expected = forward(*net, x);
    const torch::Tensor actual = run_in_onnxruntime(dir, modules, file, x, 5).logits;
    const double diff = (actual - expected).abs().max().item<double>();
    MESSAGE("max |onnxruntime - libtorch| = " << diff << " (logits up to "
                                               << expected.abs().max().item<double>() << ")");
    CHECK(diff < kTolerance);
    // The comparison can fail: another subnet's logits are far off.
    CHECK((actual - expected.flip({0})).abs().max().item<double>() > kTolerance);
  }
}

TEST_CASE("a subnet whose activations are all relu exports without HardSwish, and ONNX Runtime agrees") {
  const std::string modules = NAS_ONNXRUNTIME_NODE_MODULES;
  if (!onnx_tools_here(modules)) return;
  const Mbv3Layout layout =
      mbv3_layout(test::tiny_options_deciding_activation(tiny_options()), 2, 5);
  const SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet = perturbed_supernet(layout, space);
  TempDir dir;
  nlohmann::json j = space.to_json(largest_arch(space));
  for (const std::string activation : {"relu", "hswish"}) {
    CAPTURE(activation);
    j["s2_act"] = activation;
    const Mbv3Subnet spec = decode_mbv3(space, layout, space.from_json(j));
    Subnet net = extract_subnet(*supernet, spec);
    OnnxExportOptions export_options;
    export_options.batch = 2;
    const std::string file = (dir / (activation + ".onnx")).string();
    write_model_file(file, export_onnx(*net, export_options).bytes);
    const ProcessResult checked = test::check_with_python_onnx(file);
    REQUIRE_MESSAGE(checked.exit_code == 0, checked.err);
    CHECK(checked.out == (activation == "relu"
                              ? "Add,Conv,Flatten,Gemm,GlobalAveragePool,HardSigmoid,Mul,Relu\n"
                              : "Add,Conv,Flatten,Gemm,GlobalAveragePool,HardSigmoid,HardSwish,Mul,Relu\n"));
    const torch::Tensor x = torch::randn({2, 2, spec.resolution, spec.resolution}) * 1.5;
    const torch::Tensor expected = forward(*net, x);
    const torch::Tensor actual = run_in_onnxruntime(dir, modules, file, x, 5).logits;
    CHECK((actual - expected).abs().max().item<double>() < kTolerance);
  }
}

TEST_CASE("an int8 QDQ file runs on ONNX Runtime's integer kernels and predicts as the fake-quantized subnet") {
  const std::string modules = NAS_ONNXRUNTIME_NODE_MODULES;
  if (!onnx_tools_here(modules)) return;
  const Mbv3Layout layout = mbv3_layout(tiny_options(), 2, 5);
  const SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet = perturbed_supernet(layout, space);
  Rng rng(21);
  TempDir dir;
  constexpr std::int64_t kImages = 200;
  // The largest subnet has every site kind (SE, residual, hswish).
  for (const Arch& arch : {largest_arch(space), space.sample(rng)}) {
    CAPTURE(space.canonical_json(arch));
    const Mbv3Subnet spec = decode_mbv3(space, layout, arch);
    Subnet net = extract_subnet(*supernet, spec);
    net->eval();
    // Images of different brightness and contrast, so that the untrained
    // net predicts several classes, not one for all.
    const auto images = [&](std::int64_t n) {
      return torch::randn({n, 2, spec.resolution, spec.resolution}) * torch::rand({n, 1, 1, 1}) * 3 +
             torch::rand({n, 2, 1, 1}) * 6 - 3;
    };
    const std::vector<torch::Tensor> calibration = {images(64), images(64)};
    const std::vector<ActivationRange> ranges =
        calibrate_activations(*net, calibration, QuantizationOptions{});

    OnnxExportOptions options;
    options.batch = kImages;
    options.int8_activations = ranges;
    const OnnxModel model = export_onnx(*net, options);
    const std::string file = (dir / "int8.onnx").string();
    write_model_file(file, model.bytes);
    const ProcessResult checked = test::check_with_python_onnx(file);
    REQUIRE_MESSAGE(checked.exit_code == 0, checked.err);
    CHECK(checked.out.find("DequantizeLinear") != std::string::npos);
    CHECK(checked.out.find("QuantizeLinear") != std::string::npos);

    // Too few or too many ranges for the net is our bug, said as such.
    options.int8_activations.pop_back();
    CHECK_THROWS_WITH_AS(export_onnx(*net, options),
                         doctest::Contains("int8 activation ranges for a subnet with"), Error);
    options.int8_activations = ranges;
    options.int8_activations.push_back({-1, 1});
    CHECK_THROWS_WITH_AS(export_onnx(*net, options),
                         doctest::Contains("int8 activation ranges for a subnet with"), Error);

    const torch::Tensor x = images(kImages);
    quantize_weights_int8(*net);
    set_int8_activations(*net, ranges);
    const torch::Tensor expected = forward(*net, x);
    const OnnxRuntimeRun ran = run_in_onnxruntime(dir, modules, file, x, 5, true);
    const torch::Tensor& actual = ran.logits;
    // The runtime turned each convolution's pairs into its integer kernel
    // (QLinearConv): its log names every group it matched.
    std::size_t matched = 0;
    for (std::size_t at = ran.log.find("Matched Conv"); at != std::string::npos;
         at = ran.log.find("Matched Conv", at + 1)) {
      ++matched;
    }
    std::size_t convs = 0;
    for (const auto& m : net->modules(false)) convs += m->as<torch::nn::Conv2d>() != nullptr;
    MESSAGE("ONNX Runtime ran " << matched << " of " << convs << " convolutions as int8 kernels");
    CHECK(matched >= 1);
    const double agree = actual.argmax(1).eq(expected.argmax(1)).to(torch::kFloat64).mean().item<double>();
    const double diff = (actual - expected).abs().max().item<double>();
    MESSAGE("int8: same class for " << agree * 100 << " % of images; max |onnxruntime - libtorch| = "
                                    << diff << " (logits up to " << expected.abs().max().item<double>()
                                    << ")");
    // An untrained net predicts nearly one class whatever the image, so the
    // class agreement says little here (the benchmark measures it on a
    // trained supernet); the logits say more. Runtime and simulation round
    // alike but not identically (ONNX Runtime requantizes in fixed point and
    // runs uint8 activations), which moves a logit by a few steps.
    CHECK(agree >= 0.99);
    const double scale = expected.abs().max().item<double>();
    CHECK(diff < 0.03 * scale);
    // The comparison can fail: another image's logits are far off.
    const double other = (actual - expected.flip({0})).abs().max().item<double>();
    MESSAGE("max |onnxruntime - libtorch of another image| = " << other);
    CHECK(other > 0.1 * scale);
  }
}

TEST_CASE("the exporter writes a fixed batch and refuses a batch below 1") {
  const Mbv3Layout layout = mbv3_layout(tiny_options(), 2, 5);
  const SearchSpace space = mbv3_space(layout);
  Mbv3Supernet supernet(layout);
  Subnet net = extract_subnet(*supernet, decode_mbv3(space, layout, smallest_arch(space)));
  OnnxExportOptions options;
  options.batch = 0;
  CHECK_THROWS_WITH_AS(export_onnx(*net, options), "onnx export: batch must be >= 1", Error);
  options.batch = 4;
  const OnnxModel model = export_onnx(*net, options);
  CHECK(model.input_shape == std::vector<std::int64_t>{4, 2, 12, 12});
  CHECK(model.bytes.size() > 1000);
}

TEST_CASE("a model file is written whole or not at all") {
  TempDir dir;
  const std::string path = (dir / "m.onnx").string();
  write_model_file(path, "first");
  write_model_file(path, "second");
  CHECK(test::read_file(path) == "second");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK_THROWS_WITH_AS(write_model_file((dir / "no/such/dir/m.onnx").string(), "x"),
                       doctest::Contains("no/such/dir/m.onnx: cannot write it"), Error);
}

}  // namespace
}  // namespace nas

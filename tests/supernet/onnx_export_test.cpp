// ONNX export of extracted subnets, checked by tools outside this project:
// python3-onnx's checker accepts the file and ONNX Runtime computes the same
// logits as LibTorch on the same input.
#include "supernet/onnx_export.h"

#include <doctest/doctest.h>

#include <cstring>
#include <fstream>

#include "core/errors.h"
#include "core/random.h"
#include "supernet/mbv3_supernet.h"
#include "supernet/subnet.h"
#include "tests/support/onnx_tools.h"
#include "tests/supernet/tiny_options.h"

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
  torch::NoGradGuard no_grad;
  for (auto& p : supernet->parameters()) p.add_(torch::randn_like(p) * 0.1);
  // Logits of a few units, so that 1e-4 is a tight tolerance on them.
  supernet->classifier->weight.mul_(20);
  Rng rng(5);
  supernet->train();
  for (int i = 0; i < 6; ++i) {
    const Mbv3Subnet s = decode_mbv3(space, layout, space.sample(rng));
    supernet->forward(torch::randn({8, 2, s.resolution, s.resolution}) * 2 + 0.5, s);
  }
  supernet->eval();
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

TEST_CASE("an exported subnet passes python3-onnx's checker and ONNX Runtime matches LibTorch") {
  const std::string modules = NAS_ONNXRUNTIME_NODE_MODULES;
  const std::string no_checker = test::onnx_checker_missing();
  const std::string no_runtime = test::onnxruntime_missing(modules);
  if (!no_checker.empty() || !no_runtime.empty()) {
    MESSAGE("skipped: " << (no_checker.empty() ? no_runtime : no_checker));
    return;
  }
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
    torch::Tensor expected;
    {
      torch::NoGradGuard no_grad;
      expected = net->forward(x);
    }
    const std::string in = (dir / "input.f32").string(), out = (dir / "output.f32").string();
    write_floats(in, x);
    const ProcessResult ran = test::run_onnxruntime_tool(
        NAS_SOURCE_DIR, modules, {"run", file, shape_text(model.input_shape), in, out});
    REQUIRE_MESSAGE(ran.exit_code == 0, ran.err);
    CHECK(ran.out == "output logits 3x5\n");
    const torch::Tensor actual = read_floats(out, {3, 5});
    const double diff = (actual - expected).abs().max().item<double>();
    MESSAGE("max |onnxruntime - libtorch| = " << diff << " (logits up to "
                                               << expected.abs().max().item<double>() << ")");
    CHECK(diff < kTolerance);
    // The comparison can fail: another subnet's logits are far off.
    CHECK((actual - expected.flip({0})).abs().max().item<double>() > kTolerance);
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

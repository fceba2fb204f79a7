// The outside tools that check an exported ONNX file: python3-onnx's
// checker (Debian's /usr/bin/python3, not a pyenv one first on PATH) and
// ONNX Runtime through npm's onnxruntime-node, installed into the build dir
// by scripts/install_onnxruntime_node.sh (scripts/bootstrap.sh runs it).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace nas::test {

// The first `name` on PATH, if any.
inline std::optional<std::string> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

// Why ONNX Runtime cannot run here, or "" when it can.
inline std::string onnxruntime_missing(const std::string& modules_dir) {
  if (!find_on_path("node")) return "node is not installed (Debian's nodejs)";
  if (!std::filesystem::exists(std::filesystem::path(modules_dir) / "onnxruntime-node" /
                               "package.json")) {
    return "onnxruntime-node is not installed under " + modules_dir +
           " (scripts/install_onnxruntime_node.sh)";
  }
  return "";
}

// Why python3-onnx's checker cannot run here, or "" when it can.
inline std::string onnx_checker_missing() {
  if (!std::filesystem::exists("/usr/bin/python3")) return "/usr/bin/python3 is not installed";
  const ProcessResult r = run_process({"/usr/bin/python3", "-c", "import onnx"});
  return r.exit_code == 0 ? "" : "python3-onnx is not installed";
}

// Why the checker or ONNX Runtime cannot run here, or "" when both can.
inline std::string onnx_tools_missing(const std::string& modules_dir) {
  const std::string checker = onnx_checker_missing();
  return checker.empty() ? onnxruntime_missing(modules_dir) : checker;
}

// python3-onnx's full check (with shape inference) of `model`; the op types
// of its nodes, sorted and comma-separated, on success.
inline ProcessResult check_with_python_onnx(const std::string& model) {
  return run_process({"/usr/bin/python3", "-c",
                      "import onnx, sys\n"
                      "m = onnx.load(sys.argv[1])\n"
                      "onnx.checker.check_model(m, full_check=True)\n"
                      "print(','.join(sorted({n.op_type for n in m.graph.node})))\n",
                      model});
}

// Runs tools/onnxruntime_tool.js with NODE_PATH set to `modules_dir`.
inline ProcessResult run_onnxruntime_tool(const std::string& source_dir,
                                          const std::string& modules_dir,
                                          const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env", "NODE_PATH=" + modules_dir, "node",
                                   source_dir + "/tools/onnxruntime_tool.js"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

}  // namespace nas::test

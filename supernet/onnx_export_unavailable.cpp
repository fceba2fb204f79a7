// export_onnx for a build without libonnx-dev (NAS_WITH_ONNX=OFF), such as
// one against an upstream LibTorch (scripts/gpu/build_upstream.sh).
#include "core/errors.h"
#include "supernet/onnx_export.h"

namespace nas {

OnnxModel export_onnx(const SubnetImpl&, const OnnxExportOptions&) {
  throw Error("onnx export: this nas was built without ONNX (NAS_WITH_ONNX=OFF); "
              "export with a build that has libonnx-dev");
}

}  // namespace nas

// The BLAS pool follows a scope's thread count (supernet/blas_threads.h).
#include <doctest/doctest.h>

#include "supernet/blas_threads.h"
#include "supernet/supernet_impl.h"

namespace nas {
namespace {

TEST_CASE("a ThreadsGuard sets the BLAS pool's threads for its scope and gives them back") {
  const int before = blas_threads();
  // Debian's LibTorch calls OpenBLAS (scripts/bootstrap.sh installs it); a
  // build on another BLAS has no pool of its own to set.
  if (before == 0) {
    MESSAGE("the BLAS library has no thread pool to set: nothing to check");
    CHECK_FALSE(set_blas_threads(1));
    return;
  }
  REQUIRE(set_blas_threads(2));
  REQUIRE(blas_threads() == 2);
  {
    ThreadsGuard one(1);
    CHECK(blas_threads() == 1);
    CHECK(at::get_num_threads() == 1);
    // A matrix product inside the scope runs (on one BLAS thread).
    const torch::Tensor a = torch::ones({64, 64});
    CHECK(torch::mm(a, a)[0][0].item<float>() == doctest::Approx(64));
  }
  CHECK(blas_threads() == 2);
  {
    ThreadsGuard keep(0);
    CHECK(blas_threads() == 2);
  }
  CHECK_FALSE(set_blas_threads(0));
  set_blas_threads(before);
}

}  // namespace
}  // namespace nas

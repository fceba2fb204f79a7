#include "supernet/blas_threads.h"

#include <dlfcn.h>

namespace nas {
namespace {

// Looked up at run time: the BLAS behind libblas.so.3 is chosen by Debian's
// alternatives, and only OpenBLAS has these entry points.
using GetThreads = int (*)();
using SetThreads = void (*)(int);

GetThreads get_function() {
  static const auto f = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return f;
}

SetThreads set_function() {
  static const auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return f;
}

}  // namespace

int blas_threads() {
  const GetThreads get = get_function();
  return get ? get() : 0;
}

bool set_blas_threads(int threads) {
  const SetThreads set = set_function();
  if (!set || threads < 1) return false;
  set(threads);
  return true;
}

}  // namespace nas

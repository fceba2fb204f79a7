// The thread count of the BLAS library LibTorch calls into, where that
// library lets us set it.
//
// Why: Debian's LibTorch sends matrix products (the classifier, 1x1 work
// that oneDNN leaves to BLAS) through libblas.so.3, which is OpenBLAS with
// its own pthread pool of one thread per core. at::set_num_threads does not
// reach that pool, and after every call its idle threads spin in
// sched_yield for a while. On 2 cores, a 1-thread latency measurement then
// kept the other core busy in the kernel (146 s of system time against
// 167 s of user time in bench_lut_quality), disturbing the measurement,
// whatever else runs on the machine, and any power meter reading.
#pragma once

namespace nas {

// The BLAS library's thread count, or 0 when it offers no way to ask
// (not OpenBLAS, or no BLAS loaded).
int blas_threads();

// Sets the BLAS library's thread count (threads >= 1); false when it offers
// no way to set it, in which case nothing changed.
bool set_blas_threads(int threads);

}  // namespace nas

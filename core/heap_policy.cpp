#include "core/heap_policy.h"

#include <algorithm>
#include <climits>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nas {

bool keep_freed_memory_in_heap(std::size_t mmap_threshold_bytes) {
#if defined(__GLIBC__)
  // glibc caps the mmap threshold at 32 MiB on 64-bit systems and refuses
  // more; the trim threshold has no such cap.
  const int threshold = static_cast<int>(std::min<std::size_t>(mmap_threshold_bytes, INT_MAX));
  return mallopt(M_MMAP_THRESHOLD, threshold) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
#else
  (void)mmap_threshold_bytes;
  return false;
#endif
}

}  // namespace nas

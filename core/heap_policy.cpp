#include "core/heap_policy.h"

#include <algorithm>
#include <climits>
#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nas {

bool keep_freed_memory_in_heap(std::size_t mmap_threshold_bytes) {
#if defined(__GLIBC__)
  // glibc refuses an mmap threshold above 32 MiB on 64-bit systems (half
  // its largest heap); the trim threshold has no such cap.
  constexpr std::size_t kGlibcMax = std::size_t{32} << 20;
  const int threshold = static_cast<int>(std::min(mmap_threshold_bytes, kGlibcMax));
  return mallopt(M_MMAP_THRESHOLD, threshold) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
#else
  (void)mmap_threshold_bytes;
  return false;
#endif
}

void return_freed_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace nas

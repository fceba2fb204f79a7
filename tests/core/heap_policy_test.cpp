// A freed large block stays in the heap for reuse (core/heap_policy.h).
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>

#include "core/heap_policy.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nas {
namespace {

TEST_CASE("with the policy, a freed 16 MiB block stays in the heap instead of going back to the kernel") {
#if defined(__GLIBC__)
  REQUIRE(keep_freed_memory_in_heap());
  constexpr std::size_t kBytes = std::size_t{16} << 20;
  const std::size_t mapped_before = mallinfo2().hblkhd;  // bytes in mmap'ed blocks
  void* block = std::malloc(kBytes);
  REQUIRE(block != nullptr);
  std::memset(block, 1, kBytes);
  CHECK(mallinfo2().hblkhd == mapped_before);  // served from the heap, not a mapping
  std::free(block);
  CHECK(mallinfo2().fordblks >= kBytes);  // kept, free for the next step
#else
  CHECK_FALSE(keep_freed_memory_in_heap());
#endif
}

}  // namespace
}  // namespace nas

// How the process's heap treats large blocks that are freed.
//
// Why: a supernet training step allocates and frees activation buffers of
// several megabytes each. glibc's malloc serves blocks above its mmap
// threshold with fresh mappings and unmaps them on free, and gives the top
// of the heap back to the kernel once it passes the trim threshold, so every
// step page-faults its working memory in again, which is expensive in a
// virtual machine. Keeping freed blocks also keeps page faults out of timed
// inference runs. Figures: docs/decisions/0002-keep-freed-memory-in-heap.md.
#pragma once

#include <cstddef>

namespace nas {

// Blocks up to `mmap_threshold_bytes` (at most glibc's cap, 32 MiB) come
// from the heap, and freed memory
// stays there for reuse: the process's resident size stays at its peak
// instead of shrinking after it. Call once, early, before the heavy work.
// Returns false where the C library offers no such control (not glibc);
// nothing changes then.
bool keep_freed_memory_in_heap(std::size_t mmap_threshold_bytes = std::size_t{32} << 20);

// Gives the heap's free memory back to the kernel now (glibc's malloc_trim),
// whatever the policy above: for a server after a peer's large message was
// parsed and freed. Costs a walk over the heap's free blocks. Does nothing
// where the C library offers no such call.
void return_freed_memory();

}  // namespace nas

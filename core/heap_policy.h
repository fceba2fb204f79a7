// How the process's heap treats large blocks that are freed.
//
// Why: a supernet training step allocates and frees activation buffers of
// several megabytes each. glibc's malloc serves blocks above its mmap
// threshold with fresh mappings and unmaps them on free, and gives the top
// of the heap back to the kernel once it passes the trim threshold, so every
// step page-faults its working memory in again. In a virtual machine a page
// fault is expensive: on 2 cores bench_supernet_throughput spent 4.7 s of 15 s
// in the kernel, and keeping freed blocks in the heap made its sandwich step
// 9 to 23 % faster (15 % on average over five pairs of runs; heap=default
// prints the baseline). It also keeps page faults out
// of timed inference runs.
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

}  // namespace nas

#ifndef BARNND_MALLOC_STATS_H
#define BARNND_MALLOC_STATS_H

#include <stddef.h>

/// Bytes glibc's malloc has handed out and not had back, in every arena and in mmapped chunks (mallinfo2's
/// uordblks + hblkhd): the live heap, without the freed memory and file mappings that resident memory counts.
size_t barnnd_heap_in_use(void);

#endif

// mallinfo2 returns a struct by value from malloc.h, which Swift's Glibc module does not import.
#include "malloc_stats.h"

#include <malloc.h>

size_t barnnd_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

#pragma once
// Shared by the fuzz targets: a crash is the only failure libFuzzer sees, so a
// broken property aborts with a message naming it.

#include <cstdio>
#include <cstdlib>

#define HUBSPEC_FUZZ_CHECK(condition)                                                                                  \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "fuzz property broken: %s (%s:%d)\n", #condition, __FILE__, __LINE__);                \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)

#ifndef BARNND_COPENBLAS_SHIM_H
#define BARNND_COPENBLAS_SHIM_H
#include <cblas.h>
#endif

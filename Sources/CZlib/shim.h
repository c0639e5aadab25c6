#ifndef BARNND_CZLIB_SHIM_H
#define BARNND_CZLIB_SHIM_H
#include <zlib.h>
#endif

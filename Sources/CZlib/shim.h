#ifndef CATALOGWATCH_CZLIB_SHIM_H
#define CATALOGWATCH_CZLIB_SHIM_H
#include <zlib.h>
#endif

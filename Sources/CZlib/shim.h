#ifndef ACTIONPROXY_CZLIB_SHIM_H
#define ACTIONPROXY_CZLIB_SHIM_H
#include <zlib.h>
#endif

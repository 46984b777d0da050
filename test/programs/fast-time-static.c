#include "fast-time.c"

// The header's inline function is all there is; SwiftPM wants one source file per C target.
#include "CPrefetch.h"
int netwatch_cprefetch_present = 1;

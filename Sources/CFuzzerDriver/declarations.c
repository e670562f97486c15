// The target only declares libFuzzer's driver; see include/CFuzzerDriver.h.
#include "CFuzzerDriver.h"

// libFuzzer's driver, for the fuzz executable built with
// `-sanitize=fuzzer -DLIBFUZZER`. Only that build calls it, and only that
// build links libFuzzer.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

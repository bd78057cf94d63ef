#ifndef ACTIONPROXY_LIBFUZZER_H
#define ACTIONPROXY_LIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that have a main of their own
// ("using libFuzzer as a library"). SwiftPM renames an executable's main and
// points the linker's `main` at it, so the fuzz binary keeps its Swift main and
// starts libFuzzer from there. Defined by the runtime that -sanitize=fuzzer
// links; only FUZZING builds refer to it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif

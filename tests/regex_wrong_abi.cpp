// A library that looks like libtetrars-regex.so but is of another interface
// version: tetrars must refuse it (regex_e2e_test.cpp), never call into it.
#include <cstdlib>

#include "filter/regex_shim.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

EXPORT int tetrars_regex_abi(void) {
  return TETRARS_REGEX_ABI + 1;
}
EXPORT tetrars_regex* tetrars_regex_compile(const char*, size_t, char*, size_t) {
  std::abort();
}
EXPORT int tetrars_regex_partial_match(const tetrars_regex*, const char*, size_t) {
  std::abort();
}
EXPORT void tetrars_regex_free(tetrars_regex*) {
  std::abort();
}

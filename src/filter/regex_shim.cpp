// libtetrars-regex.so: RE2 behind the C interface of regex_shim.h. Only the
// functions declared there are exported (the rest is hidden: -fvisibility).
#include "filter/regex_shim.h"

#include <re2/re2.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>

#define TETRARS_REGEX_EXPORT extern "C" __attribute__((visibility("default")))

struct tetrars_regex {
  re2::RE2 re;
};

namespace {

void CopyError(const std::string& text, char* error, size_t error_size) {
  if (error == nullptr || error_size == 0) return;
  const size_t n = std::min(text.size(), error_size - 1);
  std::memcpy(error, text.data(), n);
  error[n] = '\0';
}

}  // namespace

TETRARS_REGEX_EXPORT int tetrars_regex_abi(void) {
  return TETRARS_REGEX_ABI;
}

TETRARS_REGEX_EXPORT tetrars_regex* tetrars_regex_compile(const char* pattern, size_t length,
                                                          char* error, size_t error_size) {
  try {
    auto compiled = std::unique_ptr<tetrars_regex>(
        new tetrars_regex{re2::RE2(re2::StringPiece(pattern, length), re2::RE2::Quiet)});
    if (!compiled->re.ok()) {
      CopyError(compiled->re.error(), error, error_size);
      return nullptr;
    }
    return compiled.release();
  } catch (const std::bad_alloc&) {
    CopyError("out of memory", error, error_size);
  } catch (...) {
    CopyError("RE2 failed", error, error_size);
  }
  return nullptr;
}

TETRARS_REGEX_EXPORT int tetrars_regex_partial_match(const tetrars_regex* regex, const char* text,
                                                     size_t length) {
  // RE2 does not throw while matching: its DFA falls back to the NFA when
  // its memory budget runs out.
  return re2::RE2::PartialMatch(re2::StringPiece(text, length), regex->re) ? 1 : 0;
}

TETRARS_REGEX_EXPORT void tetrars_regex_free(tetrars_regex* regex) {
  delete regex;
}

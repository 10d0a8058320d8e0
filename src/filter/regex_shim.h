// The C interface of libtetrars-regex.so: RE2 for the options that need it
// (--process, --pod, --containers, --namespace-regex, --match =~ and !~).
//
// Why a library of its own: RE2 and the libstdc++ iostream and locale code it
// pulls in are about half of what the tetrars binary would otherwise be, and
// the default job never compiles a regular expression. tetrars loads this
// library with dlopen() when such an option is given (src/filter/regex_library.h says where it
// looks) and the default job never maps it, as -o journal loads libsystemd.
//
// Why C: nothing of C++ crosses the boundary (no std::string, no exception, no
// allocator), so the library may link RE2 and a libstdc++ of its own without
// the binary's static libstdc++ ever meeting theirs. Every function is
// noexcept in effect: the library catches what RE2 throws (std::bad_alloc).
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// The interface's version: tetrars refuses a library of another version
// (a stale copy beside a newer binary) instead of calling into it.
#define TETRARS_REGEX_ABI 1

typedef struct tetrars_regex tetrars_regex;

int tetrars_regex_abi(void);

// `pattern` (not NUL-terminated: `length` bytes) compiled with RE2's default
// options (UTF-8, POSIX-like syntax of RE2, longest match off) and RE2::Quiet
// (no logging), as the agent compiles the server-side filters. NULL when RE2
// refuses it or memory ran out; then `error` (of `error_size` bytes, NUL
// terminated, cut to fit) says why, in RE2's words ("missing ): (ls").
tetrars_regex* tetrars_regex_compile(const char* pattern, size_t length, char* error,
                                     size_t error_size);

// RE2::PartialMatch: 1 if the pattern matches anywhere in the `length` bytes
// of `text` (unanchored), 0 if not.
int tetrars_regex_partial_match(const tetrars_regex* regex, const char* text, size_t length);

void tetrars_regex_free(tetrars_regex* regex);

#ifdef __cplusplus
}
#endif

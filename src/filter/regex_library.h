// RE2 regular expressions, from libtetrars-regex.so (src/filter/regex_shim.h),
// loaded when an option needs one: the default job never maps RE2.
//
// Contract: Regex::Compile() loads the library on first use (dlopen) and
// compiles a pattern with RE2's syntax and default options, as the agent
// compiles --process/--pod/--containers/--namespace-regex; PartialMatch() is
// RE2::PartialMatch (unanchored). The library is looked for, in this order:
//   1. already loaded in the process (the test programs link it), found by
//      its tetrars_regex_abi function;
//   2. beside the running binary (/proc/self/exe): build/ next to build/tetrars;
//   3. its installed place, compiled in (TETRARS_REGEX_LIBRARY_DIR:
//      /usr/lib/<multiarch>/tetrars for the package).
// A file that is there but does not load, lacks a function or is of another
// interface version is reported as it is, not skipped for the next place.
// A library that cannot be had is an error of its own (RegexError::kLibrary),
// so that the command line can name the option that needs it. Once loaded,
// the library stays for the life of the process (RE2 keeps process-wide
// allocations, and libstdc++ cannot be unloaded).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tetrars {

// The file name of the library, as messages name it.
inline constexpr const char* kRegexLibrary = "libtetrars-regex.so";

struct RegexError {
  enum Kind { kPattern, kLibrary };
  Kind kind = kPattern;
  // kPattern: RE2's reason ("missing ): (ls"); kLibrary: why the library could
  // not be had ("not in /tmp/x or /usr/lib/x86_64-linux-gnu/tetrars").
  std::string text;
};

class Regex {
 public:
  static std::optional<Regex> Compile(std::string_view pattern, RegexError* error);

  bool PartialMatch(std::string_view text) const;

  // The loaded library and a pattern compiled by it (defined in regex.cpp).
  struct Library;
  struct Compiled;

 private:
  explicit Regex(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

  std::shared_ptr<const Compiled> compiled_;
};

// "needs libtetrars-regex.so (<why>)" and what to do: the command line's
// message for an option that needs the library, and its advice.
std::string RegexLibraryMissing(const std::string& option, const RegexError& error);
inline constexpr const char* kRegexLibraryAdvice = "reinstall the tetrars package";

}  // namespace tetrars

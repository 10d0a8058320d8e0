// The value types of the command line, parsed and range-checked the same way
// for every option that takes them: lists, durations, byte counts, field
// path syntax. No option knows another's rules; option_table.cpp states each
// option's range with these.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace tetrars {

// "a,b,c" -> {"a", "b", "c"} (an empty item stays: the checks name it).
std::vector<std::string> SplitList(const std::string& text);
std::string Join(const std::vector<std::string>& items, const char* separator);
std::string Upper(std::string text);

// "250ms", "5s", "2m", "1h" (a unit is required, as in Go; only "0" goes
// without one) -> milliseconds; at most 24h.
std::optional<int> ParseDurationMs(const std::string& text);

// A byte count: 1024 to 2^31, or 0 where `zero_allowed` (no limit).
std::optional<size_t> ParseByteCount(const std::string& text, bool zero_allowed);

// What is wrong with an option's value, as the command line says it:
// "tetrars: <what>: <todo>".
struct ValueProblem {
  std::string what;
  std::string todo;
};

// A regular expression the agent compiles (--process, --pod, --containers,
// --namespace-regex): checked here with RE2, as the agent would, since a bad
// one fails the stream. RE2 comes from libtetrars-regex.so (regex_library.h),
// loaded for the check. Nothing if the pattern compiles.
std::optional<ValueProblem> CheckRegex(const std::string& flag, const std::string& pattern);

// A field path as the agent takes it: snake_case segments joined by dots.
bool ValidPathSyntax(const std::string& path);

// `text` broken at spaces into lines of at most `width` columns, each ending
// with a newline (help text).
std::string WrapWords(const std::string& text, size_t width);

}  // namespace tetrars

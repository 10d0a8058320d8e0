#include "cli/option_values.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "filter/regex_library.h"

namespace tetrars {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::optional<ValueProblem> CheckRegex(const std::string& flag, const std::string& pattern) {
  RegexError why;
  if (Regex::Compile(pattern, &why)) return std::nullopt;
  if (why.kind == RegexError::kLibrary) {
    return ValueProblem{RegexLibraryMissing(flag, why), kRegexLibraryAdvice};
  }
  return ValueProblem{"invalid regular expression '" + pattern + "' in " + flag + ": " + why.text,
                      "use RE2 syntax (https://github.com/google/re2/wiki/Syntax)"};
}

bool ValidPathSyntax(const std::string& path) {
  if (path.empty() || path.front() == '.' || path.back() == '.') return false;
  bool previous_dot = false;
  for (unsigned char c : path) {
    if (c == '.') {
      if (previous_dot) return false;
      previous_dot = true;
    } else if (std::islower(c) || std::isdigit(c) || c == '_') {
      previous_dot = false;
    } else {
      return false;
    }
  }
  return true;
}

std::optional<size_t> ParseByteCount(const std::string& text, bool zero_allowed) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value == 0 && zero_allowed) return value;
  if (value < 1024 || value > (size_t(1) << 31)) return std::nullopt;
  return value;
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

std::optional<int> ParseDurationMs(const std::string& text) {
  if (text == "0") return 0;  // the one duration that needs no unit, as in Go
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) return std::nullopt;
  const std::string unit(end, text.data() + text.size());
  long factor = 0;
  if (unit == "ms") factor = 1;
  if (unit == "s") factor = 1000;
  if (unit == "m") factor = 60000;
  if (unit == "h") factor = 3600000;
  if (factor == 0 || value > 86400000L / factor) return std::nullopt;
  return int(value * factor);
}

std::string WrapWords(const std::string& text, size_t width) {
  std::string out;
  std::string line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    start = end + 1;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

}  // namespace tetrars

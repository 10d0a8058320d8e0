#include "filter/auid_filter.h"

#include <charconv>

namespace tetrars {
namespace {

std::optional<uint32_t> ParseUid(std::string_view text) {
  uint32_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<AuidFilter> AuidFilter::Parse(const std::string& spec, std::string* error) {
  AuidFilter filter;
  if (spec == "any") return filter;
  const auto fail = [&](const std::string& why) -> std::optional<AuidFilter> {
    *error = "invalid --auid '" + spec + "': " + why +
             ": use values and ranges such as 1000-4294967294 or 1000-59999,0, or 'any'";
    return std::nullopt;
  };
  std::string_view rest = spec;
  if (rest.empty()) return fail("it is empty");
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const size_t dash = item.find('-');
    const auto low = ParseUid(item.substr(0, dash));
    const auto high = dash == std::string_view::npos ? low : ParseUid(item.substr(dash + 1));
    if (item == "any") {
      return fail("'any' (every user's events) cannot be combined with auids");
    }
    if (!low || !high) {
      return fail("'" + std::string(item) + "' is not a uid (0-4294967295) or a range LOW-HIGH");
    }
    if (*low > *high) return fail("range '" + std::string(item) + "' ends before it starts");
    filter.ranges_.push_back({*low, *high});
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  filter.enabled_ = true;
  return filter;
}

std::string AuidFilter::ToCel(const std::string& field) const {
  std::string cel;
  for (const Range& range : ranges_) {
    std::string term;
    if (range.low == range.high) {
      term = field + " == " + std::to_string(range.low) + "u";
    } else {
      if (range.low > 0) term = field + " >= " + std::to_string(range.low) + "u";
      if (range.high < kUnset) {
        if (!term.empty()) term += " && ";
        term += field + " <= " + std::to_string(range.high) + "u";
      }
      if (term.empty()) term = "true";
    }
    if (!cel.empty()) cel += " || ";
    cel += ranges_.size() > 1 ? "(" + term + ")" : term;
  }
  return cel;
}

bool AuidFilter::Matches(uint32_t auid) const {
  if (!enabled_) return true;
  for (const Range& range : ranges_) {
    if (auid >= range.low && auid <= range.high) return true;
  }
  return false;
}

}  // namespace tetrars

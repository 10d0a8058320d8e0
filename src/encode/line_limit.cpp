#include "encode/line_limit.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/utf8.h"

namespace tetrars {
namespace {

struct StringValue {
  size_t begin;  // first byte of the content, after the opening quote
  size_t end;    // the closing quote
  size_t size() const { return end - begin; }
};

// The string values (not keys) of the JSON text, in order. The text is our
// own writer's output: valid JSON without insignificant whitespace.
std::vector<StringValue> StringValues(std::string_view json) {
  std::vector<StringValue> values;
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '"') continue;
    const size_t begin = i + 1;
    size_t j = begin;
    while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
    if (j + 1 >= json.size() || json[j + 1] != ':') values.push_back({begin, j});
    i = j;
  }
  return values;
}

// The length of the escape or UTF-8 sequence that starts at text[i].
size_t TokenLength(std::string_view text, size_t i) {
  const uint8_t c = uint8_t(text[i]);
  if (c == '\\') {
    const char kind = i + 1 < text.size() ? text[i + 1] : 0;
    return kind == 'u' ? 6 : kind == 'x' ? 4 : 2;  // \u0001, \x7f (compact mode), \n
  }
  if (c < 0x80) return 1;
  return std::max<size_t>(ValidUtf8Length(text, i), 1);  // our writers emit valid UTF-8
}

}  // namespace

size_t SafeCut(std::string_view content, size_t limit) {
  size_t i = 0;
  while (i < content.size()) {
    const size_t next = i + TokenLength(content, i);
    if (next > limit) break;
    i = next;
  }
  return i;
}

namespace {

// Bytes the line loses when every string longer than `cap` is cut to `cap`
// (an upper bound of what the cut strings keep: SafeCut only keeps less).
size_t Savings(const std::vector<StringValue>& values, size_t cap) {
  size_t saved = 0;
  for (const StringValue& value : values) {
    if (value.size() > cap) saved += value.size() - cap;
  }
  return saved;
}

}  // namespace

std::string TruncationMarker(size_t removed) {
  return "...[truncated " + std::to_string(removed) + " bytes]";
}

size_t MarkerSize(size_t removed) {
  return TruncationMarker(removed).size();
}

FitResult FitJsonLine(std::string& line, size_t from, size_t budget) {
  const std::string_view json(line.data() + from, line.size() - from);
  if (json.size() <= budget) return FitResult::kFits;
  const size_t excess = json.size() - budget;
  const std::vector<StringValue> values = StringValues(json);
  size_t longest = 0;
  for (const StringValue& value : values) longest = std::max(longest, value.size());
  if (longest <= kShortestCut || Savings(values, kShortestCut) < excess) {
    return FitResult::kTooLarge;
  }
  // The largest cap that saves enough: Savings() falls as the cap grows.
  size_t low = kShortestCut, high = longest;  // Savings(low) >= excess > Savings(high)
  while (high - low > 1) {
    const size_t middle = low + (high - low) / 2;
    (Savings(values, middle) >= excess ? low : high) = middle;
  }
  const size_t cap = low;

  std::string shortened;
  shortened.reserve(budget + 1);
  size_t copied = 0;
  for (const StringValue& value : values) {
    if (value.size() <= cap) continue;
    const std::string_view content = json.substr(value.begin, value.size());
    // The marker's digits count what is removed: reserve the most it can be.
    const size_t keep = SafeCut(content, cap - MarkerSize(value.size()));
    shortened.append(json.substr(copied, value.begin - copied));
    shortened.append(content.substr(0, keep));
    shortened.append(TruncationMarker(value.size() - keep));
    copied = value.end;
  }
  shortened.append(json.substr(copied));
  line.replace(from, std::string::npos, shortened);
  return FitResult::kShortened;
}

}  // namespace tetrars

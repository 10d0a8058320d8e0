#include "encode/json_string.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/utf8.h"

namespace tetrars {
namespace {

// True when any of the eight bytes of `word` needs more than a copy:
// below 0x20, '"', '\\' or 0x80 and above (to be checked as UTF-8).
inline bool NeedsWork(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const auto has_zero = [&](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHigh;
  return ((word & kHigh) | below_space | has_zero(word ^ (kOnes * '"')) |
          has_zero(word ^ (kOnes * '\\'))) != 0;
}

#if defined(__SSE2__)
// One bit per byte of the sixteen at `p` that needs more than a copy: below
// 0x20 or 0x80 and above (one signed comparison catches both), '"', '\\'.
inline unsigned WorkMask16(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i special = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return unsigned(_mm_movemask_epi8(special));
}
#endif

// A byte that is copied as it is: printable ASCII other than '"' and '\\'.
inline bool IsPlain(uint8_t c) {
  return c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
}

// The first byte at or after `i` that needs more than a copy, or the end:
// sixteen bytes at a time, then eight, then one.
inline size_t SkipPlain(std::string_view text, size_t i) {
#if defined(__SSE2__)
  for (; i + 16 <= text.size(); i += 16) {
    if (const unsigned mask = WorkMask16(text.data() + i)) return i + size_t(__builtin_ctz(mask));
  }
#endif
  uint64_t word;
  while (i + 8 <= text.size() && (std::memcpy(&word, text.data() + i, 8), !NeedsWork(word))) {
    i += 8;
  }
  while (i < text.size() && IsPlain(uint8_t(text[i]))) ++i;
  return i;
}

// The escape of a byte that cannot be copied: '"', '\\' and the controls as
// protojson writes them; a byte >= 0x80 here is not valid UTF-8.
inline void AppendEscape(uint8_t c, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not valid UTF-8
      }
  }
}
}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  out += '"';
  // Runs of bytes that need no escape are appended whole, from `plain_from`.
  size_t plain_from = 0;
  for (size_t i = SkipPlain(text, 0); i < text.size(); i = SkipPlain(text, i)) {
    const uint8_t c = uint8_t(text[i]);
    if (c >= 0x80) {
      if (const size_t n = ValidUtf8Length(text, i)) {
        i += n;  // valid UTF-8 is copied as it is
        continue;
      }
    }
    out.append(text.substr(plain_from, i - plain_from));
    AppendEscape(c, out);
    plain_from = ++i;
  }
  out.append(text.substr(plain_from));
  out += '"';
}

}  // namespace tetrars

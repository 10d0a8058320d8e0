#include "json_string.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "utf8.h"

namespace tetrars {

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

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain_from = 0;
  size_t i = 0;
  while (i < text.size()) {
#if defined(__SSE2__)
    // Sixteen bytes at a time, straight to the first that needs a look.
    if (i + 16 <= text.size()) {
      if (const unsigned mask = WorkMask16(text.data() + i)) {
        i += size_t(__builtin_ctz(mask));
      } else {
        i += 16;
        continue;
      }
    }
#endif
    uint64_t word;
    if (i + 8 <= text.size() && (std::memcpy(&word, text.data() + i, 8), !NeedsWork(word))) {
      i += 8;
      continue;
    }
    const uint8_t c = uint8_t(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const size_t n = ValidUtf8Length(text, i)) {
        i += n;
        continue;
      }
    }
    out.append(text.substr(plain_from, i - plain_from));
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
    plain_from = ++i;
  }
  out.append(text.substr(plain_from));
  out += '"';
}

}  // namespace tetrars

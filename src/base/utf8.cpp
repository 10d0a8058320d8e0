#include "base/utf8.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tetrars {

namespace {

// 10xxxxxx: the second and later bytes of a sequence.
inline bool IsContinuation(uint8_t b) {
  return (b & 0xC0) == 0x80;
}

// The second byte of a three-byte sequence: after E0 the range that is not an
// overlong form, after ED the range that is not a surrogate (U+D800..U+DFFF).
inline bool ValidSecondOfThree(uint8_t b0, uint8_t b1) {
  if (b0 == 0xE0) return b1 >= 0xA0 && b1 <= 0xBF;
  if (b0 == 0xED) return b1 >= 0x80 && b1 <= 0x9F;
  return IsContinuation(b1);
}

// The second byte of a four-byte sequence: after F0 the range that is not an
// overlong form, after F4 the range that stays at or below U+10FFFF.
inline bool ValidSecondOfFour(uint8_t b0, uint8_t b1) {
  if (b0 == 0xF0) return b1 >= 0x90 && b1 <= 0xBF;
  if (b0 == 0xF4) return b1 >= 0x80 && b1 <= 0x8F;
  return IsContinuation(b1);
}

}  // namespace

size_t ValidUtf8Length(std::string_view text, size_t i) {
  // Past the end reads as 0, which is no continuation byte.
  const auto byte = [&](size_t k) { return i + k < text.size() ? uint8_t(text[i + k]) : 0; };
  const uint8_t b0 = byte(0);
  if (b0 >= 0xC2 && b0 <= 0xDF) return IsContinuation(byte(1)) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    return ValidSecondOfThree(b0, byte(1)) && IsContinuation(byte(2)) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const bool tail = IsContinuation(byte(2)) && IsContinuation(byte(3));
    return ValidSecondOfFour(b0, byte(1)) && tail ? 4 : 0;
  }
  return 0;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
#if defined(__SSE2__)
    // Most text is ASCII: skip it sixteen bytes at a time.
    if (i + 16 <= text.size()) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
      if (const unsigned high = unsigned(_mm_movemask_epi8(v))) {
        i += size_t(__builtin_ctz(high));
      } else {
        i += 16;
        continue;
      }
    }
#endif
    uint64_t word;
    if (i + 8 <= text.size() &&
        (std::memcpy(&word, text.data() + i, 8), (word & 0x8080808080808080ull) == 0)) {
      i += 8;
    } else if (uint8_t(text[i]) < 0x80) {
      ++i;
    } else if (const size_t n = ValidUtf8Length(text, i)) {
      i += n;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace tetrars

// See escaped_text.h.
#include "base/escaped_text.h"

#include <cstdint>

#include "base/utf8.h"

namespace tetrars {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendByteEscape(uint8_t c, std::string& out) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// The code point of a valid UTF-8 sequence that is escaped all the same: a
// C1 control (U+0080..U+009F), or U+2028/U+2029, which some readers take for
// line breaks; 0 for any other.
unsigned EscapedCodePoint(std::string_view sequence) {
  const auto byte = [&](size_t k) { return uint8_t(sequence[k]); };
  if (sequence.size() == 2 && byte(0) == 0xC2 && byte(1) < 0xA0) return byte(1);
  if (sequence.size() == 3 && byte(0) == 0xE2 && byte(1) == 0x80 &&
      (byte(2) == 0xA8 || byte(2) == 0xA9)) {
    return 0x2028 + (byte(2) - 0xA8);
  }
  return 0;
}

// Length of the valid UTF-8 character at text[i] (a byte >= 0x80) when it is
// printed as it is, else 0.
size_t PrintableUtf8Length(std::string_view text, size_t i) {
  const size_t length = ValidUtf8Length(text, i);
  return length > 0 && EscapedCodePoint(text.substr(i, length)) == 0 ? length : 0;
}

// The first character at or after `i` that is escaped, or the end: printable
// ASCII but the backslash, and valid UTF-8 but EscapedCodePoint's, are not.
inline size_t SkipPrintable(std::string_view text, size_t i) {
  const auto printable_ascii = [](uint8_t c) { return c >= 0x20 && c < 0x7f && c != '\\'; };
  for (;;) {
    // ASCII is most of every line: its own loop, a few instructions a byte.
    while (i < text.size() && printable_ascii(uint8_t(text[i]))) ++i;
    if (i == text.size() || uint8_t(text[i]) < 0x80) return i;
    const size_t length = PrintableUtf8Length(text, i);
    if (length == 0) return i;
    i += length;
  }
}

// An ASCII control (C0 or DEL) or the backslash: \\ \n \r \t, else \xXX.
void AppendAsciiEscape(uint8_t c, std::string& out) {
  switch (c) {
    case '\\':
      out += "\\\\";
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
      AppendByteEscape(c, out);
  }
}

// Appends the escape of the character at text[i] (where SkipPrintable
// stopped); returns its length in bytes.
size_t AppendEscapeAt(std::string_view text, size_t i, std::string& out) {
  const uint8_t c = uint8_t(text[i]);
  if (c < 0x80) {
    AppendAsciiEscape(c, out);
    return 1;
  }
  const size_t length = ValidUtf8Length(text, i);
  if (length == 0) {
    AppendByteEscape(c, out);  // not UTF-8
    return 1;
  }
  const unsigned code = EscapedCodePoint(text.substr(i, length));
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(code >> shift) & 15];
  return length;
}

}  // namespace

void AppendEscapedText(std::string_view text, std::string& out) {
  // Runs of printable characters are appended whole, from `plain_from`.
  size_t plain_from = 0;
  for (size_t i = SkipPrintable(text, 0); i < text.size(); i = SkipPrintable(text, i)) {
    out.append(text.substr(plain_from, i - plain_from));
    i += AppendEscapeAt(text, i, out);
    plain_from = i;
  }
  out.append(text.substr(plain_from));
}

}  // namespace tetrars

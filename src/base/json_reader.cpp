#include "base/json_reader.h"

#include <cstdint>

#include "base/utf8.h"

namespace tetrars {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  // The whole text: one object, whitespace around it. Collects `key`.
  bool Document(std::string_view key, std::optional<std::string>* found) {
    key_ = key;
    found_ = found;
    Space();
    if (!Object(0, true)) return false;
    Space();
    return at_ == text_.size();
  }

 private:
  static constexpr int kMaxDepth = 64;

  void Space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }
  bool Take(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  bool Object(int depth, bool top) {
    if (depth > kMaxDepth || !Take('{')) return false;
    Space();
    if (Take('}')) return true;
    while (true) {
      std::string name;
      Space();
      if (!String(&name)) return false;
      Space();
      if (!Take(':')) return false;
      Space();
      if (top && name == key_ && at_ < text_.size() && text_[at_] == '"') {
        std::string value;
        if (!String(&value)) return false;
        *found_ = std::move(value);
      } else {
        if (top && name == key_) found_->reset();  // the last member counts
        if (!Value(depth + 1)) return false;
      }
      Space();
      if (Take('}')) return true;
      if (!Take(',')) return false;
    }
  }
  bool Array(int depth) {
    if (depth > kMaxDepth || !Take('[')) return false;
    Space();
    if (Take(']')) return true;
    while (true) {
      Space();
      if (!Value(depth + 1)) return false;
      Space();
      if (Take(']')) return true;
      if (!Take(',')) return false;
    }
  }
  bool Value(int depth) {
    if (at_ >= text_.size()) return false;
    switch (text_[at_]) {
      case '{':
        return Object(depth, false);
      case '[':
        return Array(depth);
      case '"':
        return String(nullptr);
      case 't':
        return Word("true");
      case 'f':
        return Word("false");
      case 'n':
        return Word("null");
      default:
        return Number();
    }
  }
  bool Word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  bool Digits() {
    const size_t from = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ > from;
  }
  bool Number() {
    Take('-');
    if (Take('0')) {
      // no leading zeros
    } else if (!Digits()) {
      return false;
    }
    if (Take('.') && !Digits()) return false;
    if (Take('e') || Take('E')) {
      if (!Take('+')) Take('-');
      if (!Digits()) return false;
    }
    return true;
  }
  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool Hex4(uint32_t* value) {
    if (at_ + 4 > text_.size()) return false;
    *value = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = Hex(text_[at_++]);
      if (h < 0) return false;
      *value = *value * 16 + uint32_t(h);
    }
    return true;
  }
  static void Utf8(uint32_t c, std::string* out) {
    if (c < 0x80) {
      *out += char(c);
    } else if (c < 0x800) {
      *out += char(0xc0 | (c >> 6));
      *out += char(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      *out += char(0xe0 | (c >> 12));
      *out += char(0x80 | ((c >> 6) & 0x3f));
      *out += char(0x80 | (c & 0x3f));
    } else {
      *out += char(0xf0 | (c >> 18));
      *out += char(0x80 | ((c >> 12) & 0x3f));
      *out += char(0x80 | ((c >> 6) & 0x3f));
      *out += char(0x80 | (c & 0x3f));
    }
  }
  // A string literal; its unescaped text into `out` when given.
  bool String(std::string* out) {
    if (!Take('"')) return false;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (c == '"') return true;
      if (uint8_t(c) < 0x20) return false;  // JSON allows control characters only escaped
      if (c == '\\') {
        if (!Escape(out)) return false;
      } else if (out != nullptr) {
        *out += c;
      }
    }
    return false;
  }
  // The escape after a backslash; the character it stands for into `out`.
  bool Escape(std::string* out) {
    if (at_ >= text_.size()) return false;
    const char e = text_[at_++];
    if (e == 'u') return UnicodeEscape(out);
    const char plain = Unescaped(e);
    if (plain == 0) return false;
    if (out != nullptr) *out += plain;
    return true;
  }
  // The character of a one-letter escape (\n...), or 0 for no escape.
  static char Unescaped(char e) {
    switch (e) {
      case '"':
      case '\\':
      case '/':
        return e;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return 0;
    }
  }
  // \uXXXX (the "\u" read): a surrogate only as a high-low pair, since a
  // lone one is no character.
  bool UnicodeEscape(std::string* out) {
    uint32_t c = 0;
    if (!Hex4(&c)) return false;
    if (c >= 0xdc00 && c < 0xe000) return false;
    if (c >= 0xd800 && c < 0xdc00 && !LowSurrogate(&c)) return false;
    if (out != nullptr) Utf8(c, out);
    return true;
  }
  // The \uXXXX low surrogate that must follow the high one in `*c`; `*c`
  // becomes the pair's code point.
  bool LowSurrogate(uint32_t* c) {
    if (!(at_ + 1 < text_.size() && text_[at_] == '\\' && text_[at_ + 1] == 'u')) return false;
    at_ += 2;
    uint32_t low = 0;
    if (!Hex4(&low) || low < 0xdc00 || low >= 0xe000) return false;
    *c = 0x10000 + ((*c - 0xd800) << 10) + (low - 0xdc00);
    return true;
  }

  std::string_view text_;
  size_t at_ = 0;
  std::string_view key_;
  std::optional<std::string>* found_ = nullptr;
};

}  // namespace

std::optional<std::string> JsonObjectString(std::string_view text, std::string_view key,
                                            bool* valid) {
  std::optional<std::string> found;
  // JSON text is UTF-8 (RFC 8259 8.1): anything else is refused whole.
  *valid = IsValidUtf8(text) && Reader(text).Document(key, &found);
  if (!*valid) return std::nullopt;
  return found;
}

}  // namespace tetrars

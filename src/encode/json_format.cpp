// See json_format.h. The same spellings as the reference writer's
// (tests/reference/json_writer.cpp: AppendInt, AppendFloat, AppendBase64,
// CivilFromDays, AppendPadded, AppendNanos, ToLowerCamel, the range checks of
// Encoder::Timestamp/Duration), held equal by the differential tests.
#include "encode/json_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tetrars::json_format {
namespace {

template <typename Int>
void AppendInt(Int value, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

template <typename Int>
void AppendQuotedInt(Int value, std::string& out) {
  out += '"';
  AppendInt(value, out);
  out += '"';
}

// The shortest "d.ddde+XX" that reads back as `value` (what
// std::to_chars(..., scientific) prints). Through snprintf and strtod rather
// than std::to_chars: libstdc++'s floating-point to_chars brings 120 KB of
// tables and libm into the binary, for a kind our schema does not even use.
// snprintf rounds correctly, so the first precision that reads back gives
// the shortest digits, and among those the closest, as to_chars does.
template <typename Float>
std::string_view ShortestScientific(Float value, char* buf, size_t size) {
  constexpr int kMaxDigits = sizeof(Float) == 4 ? 9 : 17;
  int n = 0;
  for (int digits = 1; digits <= kMaxDigits; ++digits) {
    n = std::snprintf(buf, size, "%.*e", digits - 1, double(value));
    const Float back =
        sizeof(Float) == 4 ? Float(std::strtof(buf, nullptr)) : Float(std::strtod(buf, nullptr));
    if (back == value) break;
  }
  return std::string_view(buf, size_t(std::max(n, 0)));
}

// Go's encoding/json float style, which protojson follows: plain decimal for
// 1e-6 <= |x| < 1e21, exponent form otherwise, shortest round-trip digits,
// and an exponent without leading zeros ("1e-7", not "1e-07").
template <typename Float>
void AppendFloating(Float value, std::string& out) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char buf[64];
  std::string_view text = ShortestScientific(value, buf, sizeof buf);
  const bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t e = text.find('e');
  // The digits without the '.', in a fixed buffer (no allocation).
  char digits_buf[32];
  size_t digits_size = 0;
  for (size_t i = 0; i < e; ++i) {
    if (text[i] != '.') digits_buf[digits_size++] = text[i];
  }
  const std::string_view digits(digits_buf, digits_size);
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exponent);

  if (negative) out += '-';
  const Float magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude < Float(1e-6) || magnitude >= Float(1e21))) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits.substr(1));
    }
    out += exponent < 0 ? "e-" : "e+";
    AppendInt(exponent < 0 ? -exponent : exponent, out);
  } else if (exponent >= 0) {
    const size_t integer_digits = size_t(exponent) + 1;
    out.append(digits.substr(0, std::min(integer_digits, digits.size())));
    for (size_t i = digits.size(); i < integer_digits; ++i) out += '0';
    if (digits.size() > integer_digits) {
      out += '.';
      out.append(digits.substr(integer_digits));
    }
  } else {
    out += "0.";
    out.append(size_t(-exponent - 1), '0');
    out.append(digits);
  }
}

// Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = unsigned(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = int64_t(yoe) + era * 400 + (month <= 2);
}

void AppendPadded(int64_t value, int width, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  for (int n = int(end - buf); n < width; ++n) out += '0';
  out.append(buf, end);
}

// `value` (< 10^width) as exactly `width` digits.
char* PutDigits(char* p, uint32_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = char('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

// ".123", ".123456" or ".123456789": the fewest groups of three digits.
void AppendNanos(int32_t nanos, std::string& out) {
  if (nanos == 0) return;
  out += '.';
  if (nanos % 1000000 == 0) {
    AppendPadded(nanos / 1000000, 3, out);
  } else if (nanos % 1000 == 0) {
    AppendPadded(nanos / 1000, 6, out);
  } else {
    AppendPadded(nanos, 9, out);
  }
}

}  // namespace

void AppendInt32(int32_t value, std::string& out) {
  AppendInt(value, out);
}
void AppendUint32(uint32_t value, std::string& out) {
  AppendInt(value, out);
}
void AppendQuotedInt64(int64_t value, std::string& out) {
  AppendQuotedInt(value, out);
}
void AppendQuotedUint64(uint64_t value, std::string& out) {
  AppendQuotedInt(value, out);
}
void AppendDouble(double value, std::string& out) {
  AppendFloating(value, out);
}
void AppendFloat(float value, std::string& out) {
  AppendFloating(value, out);
}

void AppendBase64(std::string_view bytes, std::string& out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out += '"';
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v =
        (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (rest == 2) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  out += '"';
}

bool AppendTimestamp(int64_t seconds, int32_t nanos, std::string& out, std::string* error) {
  // protojson accepts 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
  if (seconds < -62135596800 || seconds > 253402300799 || nanos < 0 || nanos > 999999999) {
    if (error) {
      *error = "timestamp out of range (seconds " + std::to_string(seconds) + ", nanos " +
               std::to_string(nanos) + ")";
    }
    return false;
  }
  const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const int64_t in_day = seconds - days * 86400;
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  // Every part has a fixed width here (years 1..9999): write them into one
  // buffer, one append (AppendPadded per part cost 5 k instructions an event).
  char buf[40];
  char* p = buf;
  *p++ = '"';
  p = PutDigits(p, uint32_t(year), 4);
  *p++ = '-';
  p = PutDigits(p, month, 2);
  *p++ = '-';
  p = PutDigits(p, day, 2);
  *p++ = 'T';
  p = PutDigits(p, uint32_t(in_day / 3600), 2);
  *p++ = ':';
  p = PutDigits(p, uint32_t(in_day / 60 % 60), 2);
  *p++ = ':';
  p = PutDigits(p, uint32_t(in_day % 60), 2);
  if (nanos != 0) {  // as AppendNanos: the fewest groups of three digits
    *p++ = '.';
    if (nanos % 1000000 == 0) {
      p = PutDigits(p, uint32_t(nanos / 1000000), 3);
    } else if (nanos % 1000 == 0) {
      p = PutDigits(p, uint32_t(nanos / 1000), 6);
    } else {
      p = PutDigits(p, uint32_t(nanos), 9);
    }
  }
  *p++ = 'Z';
  *p++ = '"';
  out.append(buf, size_t(p - buf));
  return true;
}

bool AppendDuration(int64_t seconds, int32_t nanos, std::string& out, std::string* error) {
  const bool sign_mismatch = (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0);
  if (seconds < -315576000000 || seconds > 315576000000 || nanos < -999999999 ||
      nanos > 999999999 || sign_mismatch) {
    if (error) {
      *error = "duration out of range (seconds " + std::to_string(seconds) + ", nanos " +
               std::to_string(nanos) + ")";
    }
    return false;
  }
  out += '"';
  if (seconds < 0 || nanos < 0) out += '-';
  AppendInt(seconds < 0 ? -seconds : seconds, out);
  AppendNanos(nanos < 0 ? -nanos : nanos, out);
  out += "s\"";
  return true;
}

void AppendLowerCamel(std::string_view snake, std::string& out) {
  bool upper_next = false;
  for (char c : snake) {
    if (c == '_') {
      upper_next = true;
    } else {
      out += upper_next && c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c;
      upper_next = false;
    }
  }
}

}  // namespace tetrars::json_format

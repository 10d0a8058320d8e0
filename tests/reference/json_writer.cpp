#include "json_writer.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "base/utf8.h"
#include "encode/json_string.h"

namespace tetrars {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Reflection;

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

// Go's encoding/json float style, which protojson follows: plain decimal for
// 1e-6 <= |x| < 1e21, exponent form otherwise, shortest round-trip digits,
// and an exponent without leading zeros ("1e-7", not "1e-07").
template <typename Float>
void AppendFloat(Float value, std::string& out) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  // Shortest round-trip digits first; both layouts are built from them, as
  // Go does (C++'s fixed format would print the exact binary value instead).
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view text(buf, end - buf);
  const bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t e = text.find('e');
  std::string digits(text.substr(0, e));
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exponent);

  if (negative) out += '-';
  const Float magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude < Float(1e-6) || magnitude >= Float(1e21))) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += exponent < 0 ? "e-" : "e+";
    AppendInt(exponent < 0 ? -exponent : exponent, out);
  } else if (exponent >= 0) {
    const size_t integer_digits = size_t(exponent) + 1;
    out.append(digits, 0, std::min(integer_digits, digits.size()));
    for (size_t i = digits.size(); i < integer_digits; ++i) out += '0';
    if (digits.size() > integer_digits) {
      out += '.';
      out.append(digits, integer_digits);
    }
  } else {
    out += "0.";
    out.append(size_t(-exponent - 1), '0');
    out += digits;
  }
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

std::string ToLowerCamel(std::string_view snake) {
  std::string camel;
  bool upper_next = false;
  for (char c : snake) {
    if (c == '_') {
      upper_next = true;
    } else {
      camel += upper_next && c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c;
      upper_next = false;
    }
  }
  return camel;
}

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  bool Message(const google::protobuf::Message& message) {
    const Descriptor* descriptor = message.GetDescriptor();
    if (descriptor->file()->name().rfind("google/protobuf/", 0) == 0) {
      if (auto handled = WellKnown(message, descriptor)) return *handled == Status::kOk;
    }
    const Reflection* reflection = message.GetReflection();
    out_ += '{';
    bool first = true;
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (field->is_repeated() ? reflection->FieldSize(message, field) == 0
                               : !reflection->HasField(message, field)) {
        continue;  // proto3: unset and default-valued fields are not printed
      }
      if (!first) out_ += ',';
      first = false;
      out_ += '"';
      out_ += field->name();  // proto names are [A-Za-z0-9_]: nothing to escape
      out_ += "\":";
      if (!Field(message, reflection, field)) return false;
    }
    out_ += '}';
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  enum class Status { kOk, kFailed };

  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

  bool Field(const google::protobuf::Message& m, const Reflection* r, const FieldDescriptor* f) {
    if (f->is_map()) return Map(m, r, f);
    if (!f->is_repeated()) return Singular(m, r, f);
    out_ += '[';
    const int n = r->FieldSize(m, f);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out_ += ',';
      if (!RepeatedElement(m, r, f, i)) return false;
    }
    out_ += ']';
    return true;
  }

  void Enum(const FieldDescriptor* f, int number) {
    if (const auto* value = f->enum_type()->FindValueByNumber(number)) {
      out_ += '"';
      out_ += value->name();
      out_ += '"';
    } else {
      AppendInt(number, out_);  // protojson prints numbers it has no name for
    }
  }

  void Str(const FieldDescriptor* f, const std::string& value) {
    if (f->type() == FieldDescriptor::TYPE_BYTES) {
      AppendBase64(value, out_);
    } else {
      AppendJsonString(value, out_);
    }
  }

  bool Singular(const google::protobuf::Message& m, const Reflection* r, const FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        AppendInt(r->GetInt32(m, f), out_);
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        AppendInt(r->GetUInt32(m, f), out_);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        AppendQuotedInt(r->GetInt64(m, f), out_);
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        AppendQuotedInt(r->GetUInt64(m, f), out_);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendFloat(r->GetDouble(m, f), out_);
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        AppendFloat(r->GetFloat(m, f), out_);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        out_ += r->GetBool(m, f) ? "true" : "false";
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        Enum(f, r->GetEnumValue(m, f));
        break;
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        Str(f, r->GetStringReference(m, f, &scratch));
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Message(r->GetMessage(m, f));
    }
    return true;
  }

  bool RepeatedElement(const google::protobuf::Message& m, const Reflection* r,
                       const FieldDescriptor* f, int i) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        AppendInt(r->GetRepeatedInt32(m, f, i), out_);
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        AppendInt(r->GetRepeatedUInt32(m, f, i), out_);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        AppendQuotedInt(r->GetRepeatedInt64(m, f, i), out_);
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        AppendQuotedInt(r->GetRepeatedUInt64(m, f, i), out_);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendFloat(r->GetRepeatedDouble(m, f, i), out_);
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        AppendFloat(r->GetRepeatedFloat(m, f, i), out_);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        out_ += r->GetRepeatedBool(m, f, i) ? "true" : "false";
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        Enum(f, r->GetRepeatedEnumValue(m, f, i));
        break;
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        Str(f, r->GetRepeatedStringReference(m, f, i, &scratch));
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Message(r->GetRepeatedMessage(m, f, i));
    }
    return true;
  }

  // Map keys are JSON strings; protojson sorts them (strings bytewise, integers
  // numerically, false before true).
  bool Map(const google::protobuf::Message& m, const Reflection* r, const FieldDescriptor* f) {
    const FieldDescriptor* key = f->message_type()->map_key();
    const FieldDescriptor* value = f->message_type()->map_value();
    const int n = r->FieldSize(m, f);
    std::vector<const google::protobuf::Message*> entries;
    entries.reserve(n);
    for (int i = 0; i < n; ++i) entries.push_back(&r->GetRepeatedMessage(m, f, i));
    const auto less = [key](const google::protobuf::Message* a,
                            const google::protobuf::Message* b) {
      const Reflection* ra = a->GetReflection();
      switch (key->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          return ra->GetString(*a, key) < ra->GetString(*b, key);
        case FieldDescriptor::CPPTYPE_INT32:
          return ra->GetInt32(*a, key) < ra->GetInt32(*b, key);
        case FieldDescriptor::CPPTYPE_INT64:
          return ra->GetInt64(*a, key) < ra->GetInt64(*b, key);
        case FieldDescriptor::CPPTYPE_UINT32:
          return ra->GetUInt32(*a, key) < ra->GetUInt32(*b, key);
        case FieldDescriptor::CPPTYPE_UINT64:
          return ra->GetUInt64(*a, key) < ra->GetUInt64(*b, key);
        case FieldDescriptor::CPPTYPE_BOOL:
          return ra->GetBool(*a, key) < ra->GetBool(*b, key);
        default:
          return false;  // no other key types exist in protobuf
      }
    };
    std::stable_sort(entries.begin(), entries.end(), less);
    out_ += '{';
    for (size_t i = 0; i < entries.size(); ++i) {
      const google::protobuf::Message& entry = *entries[i];
      const Reflection* er = entry.GetReflection();
      if (i > 0) out_ += ',';
      switch (key->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          AppendJsonString(er->GetString(entry, key), out_);
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          AppendQuotedInt(er->GetInt32(entry, key), out_);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          AppendQuotedInt(er->GetInt64(entry, key), out_);
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          AppendQuotedInt(er->GetUInt32(entry, key), out_);
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          AppendQuotedInt(er->GetUInt64(entry, key), out_);
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          out_ += er->GetBool(entry, key) ? "\"true\"" : "\"false\"";
          break;
        default:
          break;
      }
      out_ += ':';
      // A map value is printed even when it is the default ("" or 0).
      if (!Singular(entry, er, value)) return false;
    }
    out_ += '}';
    return true;
  }

  // Returns nothing for messages that are not special in JSON.
  std::optional<Status> WellKnown(const google::protobuf::Message& m, const Descriptor* d) {
    const std::string& name = d->full_name();
    const Reflection* r = m.GetReflection();
    if (name == "google.protobuf.Timestamp")
      return Timestamp(m, r, d) ? Status::kOk : Status::kFailed;
    if (name == "google.protobuf.Duration")
      return Duration(m, r, d) ? Status::kOk : Status::kFailed;
    if (name == "google.protobuf.FieldMask") {
      const FieldDescriptor* paths = d->field(0);
      std::string joined;
      for (int i = 0; i < r->FieldSize(m, paths); ++i) {
        if (i > 0) joined += ',';
        joined += ToLowerCamel(r->GetRepeatedString(m, paths, i));
      }
      AppendJsonString(joined, out_);
      return Status::kOk;
    }
    if (name == "google.protobuf.DoubleValue" || name == "google.protobuf.FloatValue" ||
        name == "google.protobuf.Int64Value" || name == "google.protobuf.UInt64Value" ||
        name == "google.protobuf.Int32Value" || name == "google.protobuf.UInt32Value" ||
        name == "google.protobuf.BoolValue" || name == "google.protobuf.StringValue" ||
        name == "google.protobuf.BytesValue") {
      return Singular(m, r, d->field(0)) ? Status::kOk : Status::kFailed;
    }
    if (name == "google.protobuf.Any" || name == "google.protobuf.Struct" ||
        name == "google.protobuf.Value" || name == "google.protobuf.ListValue") {
      Fail("message type " + name + " is not supported by tetrars' JSON writer");
      return Status::kFailed;
    }
    return std::nullopt;
  }

  bool Timestamp(const google::protobuf::Message& m, const Reflection* r, const Descriptor* d) {
    const int64_t seconds = r->GetInt64(m, d->FindFieldByNumber(1));
    const int32_t nanos = r->GetInt32(m, d->FindFieldByNumber(2));
    // protojson accepts 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
    if (seconds < -62135596800 || seconds > 253402300799 || nanos < 0 || nanos > 999999999) {
      return Fail("timestamp out of range (seconds " + std::to_string(seconds) + ", nanos " +
                  std::to_string(nanos) + ")");
    }
    const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    const int64_t in_day = seconds - days * 86400;
    int64_t year;
    unsigned month, day;
    CivilFromDays(days, year, month, day);
    out_ += '"';
    AppendPadded(year, 4, out_);
    out_ += '-';
    AppendPadded(month, 2, out_);
    out_ += '-';
    AppendPadded(day, 2, out_);
    out_ += 'T';
    AppendPadded(in_day / 3600, 2, out_);
    out_ += ':';
    AppendPadded(in_day / 60 % 60, 2, out_);
    out_ += ':';
    AppendPadded(in_day % 60, 2, out_);
    AppendNanos(nanos, out_);
    out_ += "Z\"";
    return true;
  }

  bool Duration(const google::protobuf::Message& m, const Reflection* r, const Descriptor* d) {
    const int64_t seconds = r->GetInt64(m, d->FindFieldByNumber(1));
    const int32_t nanos = r->GetInt32(m, d->FindFieldByNumber(2));
    const bool sign_mismatch = (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0);
    if (seconds < -315576000000 || seconds > 315576000000 || nanos < -999999999 ||
        nanos > 999999999 || sign_mismatch) {
      return Fail("duration out of range (seconds " + std::to_string(seconds) + ", nanos " +
                  std::to_string(nanos) + ")");
    }
    out_ += '"';
    if (seconds < 0 || nanos < 0) out_ += '-';
    AppendInt(seconds < 0 ? -seconds : seconds, out_);
    AppendNanos(nanos < 0 ? -nanos : nanos, out_);
    out_ += "s\"";
    return true;
  }

  std::string& out_;
  std::string error_;
};

}  // namespace

// True when any of the eight bytes of `word` needs more than a copy:
// below 0x20, '"', '\\' or 0x80 and above (to be checked as UTF-8).
bool AppendJson(const google::protobuf::Message& message, std::string& out, std::string* error) {
  const size_t mark = out.size();
  Encoder encoder(out);
  if (encoder.Message(message)) return true;
  out.resize(mark);
  if (error) *error = encoder.error();
  return false;
}

}  // namespace tetrars

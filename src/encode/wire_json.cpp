// See wire_json.h. Mirrors the reference writer's Encoder
// (tests/reference/json_writer.cpp) function by function (Message, Field,
// Singular, Map, WellKnown); where the reflection writer asks
// HasField/FieldSize, this one reads the walker's occurrence lists.
#include "encode/wire_json.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "encode/json_format.h"
#include "encode/json_string.h"

namespace tetrars {
namespace {

using schema::Field;
using schema::Kind;
using wire::Occurrence;
using wire::Slot;
using wire::Span;

bool IsPackedRun(const Field& field, const Occurrence& o) {
  return o.wire_type == 2 && field.kind != Kind::kString && field.kind != Kind::kBytes &&
         field.kind != Kind::kMessage;
}

// The default a missing map value (or wrapper value) reads as.
Occurrence Default(const Field& field) {
  return {nullptr, 0, wire::kNone, field.wire_type};
}

// protojson sorts map keys: strings bytewise, integers numerically, false first.
bool KeyLess(Kind kind, uint64_t a_bits, std::string_view a_text, uint64_t b_bits,
             std::string_view b_text) {
  switch (kind) {
    case Kind::kString:
      return a_text < b_text;
    case Kind::kUint32:
    case Kind::kFixed32:
    case Kind::kUint64:
    case Kind::kFixed64:
    case Kind::kBool:
      return wire::AsUint64(kind, a_bits) < wire::AsUint64(kind, b_bits);
    default:
      return wire::AsInt64(kind, a_bits) < wire::AsInt64(kind, b_bits);
  }
}

// A map key as protojson prints it: always a JSON string.
void AppendMapKey(Kind kind, uint64_t bits, std::string_view text, std::string& out) {
  switch (kind) {
    case Kind::kString:
      AppendJsonString(text, out);
      break;
    case Kind::kBool:
      out += bits != 0 ? "\"true\"" : "\"false\"";
      break;
    case Kind::kInt64:
    case Kind::kSint64:
    case Kind::kSfixed64:
      json_format::AppendQuotedInt64(wire::AsInt64(kind, bits), out);
      break;
    case Kind::kUint64:
    case Kind::kFixed64:
      json_format::AppendQuotedUint64(bits, out);
      break;
    case Kind::kUint32:
    case Kind::kFixed32:
      out += '"';
      json_format::AppendUint32(uint32_t(bits), out);
      out += '"';
      break;
    default:
      out += '"';
      json_format::AppendInt32(int32_t(wire::AsInt64(kind, bits)), out);
      out += '"';
  }
}

// The text of a string or bytes value (a default one has no data).
std::string_view TextOf(const Occurrence& o) {
  return {reinterpret_cast<const char*>(o.data), o.data ? size_t(o.bits) : 0};
}

// An enum value by its name; protojson prints a number it has no name for.
void AppendEnum(const Field& field, uint64_t bits, std::string& out) {
  const int32_t number = int32_t(uint32_t(bits));
  const std::string_view name = schema::EnumName(schema::EnumAt(field.type), number);
  if (name.empty()) {
    json_format::AppendInt32(number, out);
  } else {
    out += '"';
    out += name;
    out += '"';
  }
}

}  // namespace

bool WireJsonWriter::Append(const schema::Message& type, const uint8_t* data, size_t size,
                            std::string& out, std::string* error) {
  const size_t mark = out.size();
  out_ = &out;
  const wire::Walker::Mark arena = walker_.Save();
  const Span top{data, size};
  const bool ok = Message(type, std::span<const Span>(&top, 1));
  walker_.Restore(arena);
  entries_.clear();
  if (!ok) {
    out.resize(mark);
    if (error) *error = error_;
  }
  return ok;
}

bool WireJsonWriter::Fail(std::string why) {
  error_ = std::move(why);
  return false;
}

bool WireJsonWriter::Message(const schema::Message& declared, std::span<const Span> spans) {
  const schema::Message& type = &declared == replaced_ ? *replacement_ : declared;
  if (type.well_known != schema::WellKnown::kNone) return WellKnown(type, spans);
  const wire::Walker::Mark arena = walker_.Save();
  const wire::Walker::Index index = walker_.Build(type, spans);
  std::string& out = *out_;
  out += '{';
  bool first = true;
  for (const Field& field : type.fields) {
    if (!walker_.Selected(index, field)) continue;
    const Slot slot = walker_.slot(index, field);  // a copy: nested Builds grow the arena
    if (slot.first == wire::kNone) continue;
    const size_t before = out.size();
    if (!first) out += ',';
    out += field.json_key;
    if (field.Is(schema::kMap)) {
      if (!Map(field, slot)) return false;
    } else if (field.Is(schema::kRepeated)) {
      bool any = false;
      if (!Repeated(field, slot, &any)) return false;
      if (!any) {  // only empty packed runs: FieldSize() == 0, not printed
        out.resize(before);
        continue;
      }
    } else if (field.kind == Kind::kMessage) {
      if (!Message(schema::TypeOf(field), walker_.Spans(slot))) return false;
    } else {
      const Occurrence last = walker_.occurrence(slot.last);
      // proto3: a scalar at its default is not set, unless it has presence.
      if (!field.Is(schema::kPresence) && wire::IsDefault(field.kind, last)) {
        out.resize(before);
        continue;
      }
      Value(field, last);
    }
    first = false;
  }
  out += '}';
  walker_.Restore(arena);
  return true;
}

// `any` false: no element at all (an occurrence may be an empty packed run);
// the caller then drops what was appended.
bool WireJsonWriter::Repeated(const Field& field, const Slot& slot, bool* any) {
  std::string& out = *out_;
  out += '[';
  bool first = true;
  for (uint32_t i = slot.first; i != wire::kNone; i = walker_.occurrence(i).next) {
    const Occurrence o = walker_.occurrence(i);
    if (IsPackedRun(field, o)) {
      const uint8_t* p = o.data;
      const uint8_t* const end = p + o.bits;
      const size_t width = field.wire_type == 1 ? 8 : field.wire_type == 5 ? 4 : 0;
      while (p < end) {
        Occurrence element{nullptr, 0, wire::kNone, field.wire_type};
        if (width == 0) {
          if (!wire::ReadVarint(p, end, &element.bits)) break;
        } else {
          if (size_t(end - p) < width) break;
          uint64_t bits = 0;
          std::memcpy(&bits, p, width);  // little-endian hosts
          element.bits = bits;
          p += width;
        }
        if (!first) out += ',';
        first = false;
        Value(field, element);
      }
      continue;
    }
    if (!first) out += ',';
    first = false;
    if (field.kind == Kind::kMessage) {
      const Span span{o.data, size_t(o.bits)};
      if (!Message(schema::TypeOf(field), std::span<const Span>(&span, 1))) return false;
    } else {
      Value(field, o);
    }
  }
  *any = !first;
  out += ']';
  return true;
}

bool WireJsonWriter::Map(const Field& field, const Slot& slot) {
  const schema::Message& entry_type = schema::TypeOf(field);
  const size_t base = entries_.size();
  for (uint32_t i = slot.first; i != wire::kNone; i = walker_.occurrence(i).next) {
    const Occurrence o = walker_.occurrence(i);
    entries_.push_back(ReadKey(entry_type, Span{o.data, size_t(o.bits)}));
  }
  const Kind kind = field.map_key;
  const auto less = [kind](const MapEntry& a, const MapEntry& b) {
    return KeyLess(kind, a.key_bits, a.key_text, b.key_bits, b.key_text);
  };
  std::stable_sort(entries_.begin() + ptrdiff_t(base), entries_.end(), less);
  std::string& out = *out_;
  out += '{';
  const size_t end = entries_.size();
  bool first = true;
  for (size_t i = base; i < end; ++i) {
    // A key seen again replaces the entry: keep the last of equal keys.
    if (i + 1 < end && !less(entries_[i], entries_[i + 1])) continue;
    const MapEntry entry = entries_[i];  // a copy: nested maps grow entries_
    if (!first) out += ',';
    first = false;
    AppendMapKey(kind, entry.key_bits, entry.key_text, out);
    out += ':';
    if (!MapValue(entry_type, entry.entry)) return false;
  }
  out += '}';
  entries_.resize(base);
  return true;
}

// The key of one map entry (missing: the default), for sorting.
WireJsonWriter::MapEntry WireJsonWriter::ReadKey(const schema::Message& entry_type,
                                                 const Span& entry) {
  const wire::Walker::Mark arena = walker_.Save();
  const wire::Walker::Index index = walker_.Build(entry_type, std::span<const Span>(&entry, 1));
  MapEntry read{0, {}, entry};
  if (const Slot key = walker_.slot(index, entry_type.fields[0]); key.last != wire::kNone) {
    const Occurrence k = walker_.occurrence(key.last);
    read.key_bits = k.bits;
    if (k.wire_type == 2) read.key_text = {reinterpret_cast<const char*>(k.data), size_t(k.bits)};
  }
  walker_.Restore(arena);
  return read;
}

// A map value is printed even when it is the default ("" or 0, or {}).
bool WireJsonWriter::MapValue(const schema::Message& entry_type, const Span& entry) {
  const Field& value_field = entry_type.fields[1];
  const wire::Walker::Mark arena = walker_.Save();
  const wire::Walker::Index index = walker_.Build(entry_type, std::span<const Span>(&entry, 1));
  const Slot slot = walker_.slot(index, value_field);
  bool ok = true;
  if (value_field.kind == Kind::kMessage) {
    ok = Message(schema::TypeOf(value_field), walker_.Spans(slot));
  } else {
    Value(value_field,
          slot.last == wire::kNone ? Default(value_field) : walker_.occurrence(slot.last));
  }
  walker_.Restore(arena);
  return ok;
}

void WireJsonWriter::Value(const Field& field, const Occurrence& o) {
  std::string& out = *out_;
  switch (field.kind) {
    case Kind::kInt32:
    case Kind::kSint32:
    case Kind::kSfixed32:
      json_format::AppendInt32(int32_t(wire::AsInt64(field.kind, o.bits)), out);
      break;
    case Kind::kUint32:
    case Kind::kFixed32:
      json_format::AppendUint32(uint32_t(o.bits), out);
      break;
    case Kind::kInt64:
    case Kind::kSint64:
    case Kind::kSfixed64:
      json_format::AppendQuotedInt64(wire::AsInt64(field.kind, o.bits), out);
      break;
    case Kind::kUint64:
    case Kind::kFixed64:
      json_format::AppendQuotedUint64(o.bits, out);
      break;
    case Kind::kFloat:
      json_format::AppendFloat(std::bit_cast<float>(uint32_t(o.bits)), out);
      break;
    case Kind::kDouble:
      json_format::AppendDouble(std::bit_cast<double>(o.bits), out);
      break;
    case Kind::kBool:
      out += o.bits != 0 ? "true" : "false";
      break;
    case Kind::kEnum:
      AppendEnum(field, o.bits, out);
      break;
    case Kind::kString:
      AppendJsonString(TextOf(o), out);
      break;
    case Kind::kBytes:
      json_format::AppendBase64(TextOf(o), out);
      break;
    case Kind::kMessage:
      break;  // not a scalar: the callers print messages
  }
}

bool WireJsonWriter::WellKnown(const schema::Message& type, std::span<const Span> spans) {
  using schema::WellKnown;
  if (type.well_known >= WellKnown::kAny) {
    return Fail("message type " + std::string(type.full_name) +
                " is not supported by tetrars' JSON writer");
  }
  // Single scalars: read without building an index.
  const auto last = [&](const Field& field) {
    Occurrence o = Default(field);
    wire::LastOccurrence(spans, field, &o);
    return o;
  };
  switch (type.well_known) {
    case WellKnown::kTimestamp:
    case WellKnown::kDuration: {
      const Field* seconds_field = schema::FieldByNumber(type, 1);
      const Field* nanos_field = schema::FieldByNumber(type, 2);
      const int64_t seconds = seconds_field ? int64_t(last(*seconds_field).bits) : 0;
      const int32_t nanos = nanos_field ? int32_t(uint32_t(last(*nanos_field).bits)) : 0;
      return type.well_known == WellKnown::kTimestamp
                 ? json_format::AppendTimestamp(seconds, nanos, *out_, &error_)
                 : json_format::AppendDuration(seconds, nanos, *out_, &error_);
    }
    case WellKnown::kFieldMask: {
      const wire::Walker::Mark arena = walker_.Save();
      const wire::Walker::Index index = walker_.Build(type, spans);
      const Slot slot = walker_.slot(index, type.fields[0]);
      scratch_.clear();
      for (uint32_t i = slot.first; i != wire::kNone; i = walker_.occurrence(i).next) {
        const Occurrence& o = walker_.occurrence(i);
        if (i != slot.first) scratch_ += ',';
        json_format::AppendLowerCamel({reinterpret_cast<const char*>(o.data), size_t(o.bits)},
                                      scratch_);
      }
      AppendJsonString(scratch_, *out_);
      walker_.Restore(arena);
      return true;
    }
    default:  // the wrappers: their value, bare, even at its default
      Value(type.fields[0], last(type.fields[0]));
      return true;
  }
}

}  // namespace tetrars

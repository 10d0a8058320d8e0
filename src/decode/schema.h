// Our Tetragon schema (proto/tetragon/*.proto and the google/protobuf types it
// imports) as constant tables, compiled at build time: no descriptors, no
// libprotobuf at run time.
//
// Contract: tools/schema_compiler turns protoc's FileDescriptorSet into
// generated/schema_tables.cpp (build tree, not git), which defines kSchema.
// Everything here is immutable data plus lookups over it:
//   - messages sorted by full name, each with its fields in DECLARATION order
//     (the order JSON prints them), its oneofs, and two ways to find a field
//     by number: `dense` for small numbers (one byte per number), `sparse`
//     (sorted) for the large ones (1000-1004, 40000 in GetEventsResponse);
//   - enums sorted by full name, each with its value names sorted by number
//     (for an alias, the first declared name, as FindValueByNumber returns);
//   - Field::type indexes kSchema.messages (kMessage, and kMap: the entry
//     message) or kSchema.enums (kEnum); -1 otherwise.
// The wire walker (wire.h) and the JSON writer over wire bytes (wire_json.h)
// read only these tables.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace tetrars::schema {

// A field's type as declared (protobuf's FieldDescriptor::Type, minus groups).
enum class Kind : uint8_t {
  kInt32,
  kInt64,
  kUint32,
  kUint64,
  kSint32,
  kSint64,
  kFixed32,
  kFixed64,
  kSfixed32,
  kSfixed64,
  kBool,
  kFloat,
  kDouble,
  kString,
  kBytes,
  kEnum,
  kMessage,
};

// Messages that JSON prints in a form of their own.
enum class WellKnown : uint8_t {
  kNone,
  kTimestamp,
  kDuration,
  kFieldMask,
  kDoubleValue,
  kFloatValue,
  kInt64Value,
  kUInt64Value,
  kInt32Value,
  kUInt32Value,
  kBoolValue,
  kStringValue,
  kBytesValue,
  kAny,  // Any, Struct, Value, ListValue: tetrars' JSON writers refuse them
  kStruct,
  kValue,
  kListValue,
};

enum FieldFlag : uint8_t {
  kRepeated = 1,
  kPacked = 2,     // repeated scalar serialized packed (proto3's default)
  kPackable = 4,   // repeated numeric scalar: packed and unpacked both parse
  kMap = 8,        // repeated entry message; Field::map_key/map_value set
  kPresence = 16,  // explicit presence: message, oneof member, proto3 optional
};

struct Field {
  std::string_view name;      // proto name, what JSON prints
  std::string_view json_key;  // "\"name\":", ready to append
  uint32_t number;
  Kind kind;
  uint8_t wire_type;  // of one element: 0 varint, 1 fixed64, 2 length, 5 fixed32
  uint8_t flags;      // FieldFlag bits
  Kind map_key;       // kMap only
  Kind map_value;     // kMap only
  int16_t oneof;      // index in Message::oneofs, -1: none (proto3 optional is not one)
  int16_t type;       // message or enum index, -1: none
  uint16_t index;     // declaration position in Message::fields

  bool Is(FieldFlag flag) const { return (flags & flag) != 0; }
};

struct NumberedField {
  uint32_t number;
  uint16_t field;  // index in Message::fields
};

struct Oneof {
  std::string_view name;
  uint16_t first;  // its members are Message::fields[first, first + count):
  uint16_t count;  // protobuf requires them declared consecutively
};

struct Message {
  std::string_view full_name;
  std::span<const Field> fields;          // declaration order
  std::span<const uint8_t> dense;         // dense[n]: 1 + field index, 0: no field n
  std::span<const NumberedField> sparse;  // numbers >= dense.size(), sorted
  std::span<const Oneof> oneofs;
  WellKnown well_known;
  bool map_entry;  // key = field 1, value = field 2
};

struct EnumValue {
  int32_t number;
  std::string_view name;
};

struct Enum {
  std::string_view full_name;
  std::span<const EnumValue> values;  // sorted by number, one per number
};

struct Schema {
  std::span<const Message> messages;  // sorted by full name
  std::span<const Enum> enums;        // sorted by full name
};

extern const Schema kSchema;  // generated/schema_tables.cpp

inline const Message& MessageAt(int index) {
  return kSchema.messages[size_t(index)];
}
inline const Enum& EnumAt(int index) {
  return kSchema.enums[size_t(index)];
}

// nullptr when `number` is not a field of `message`.
inline const Field* FieldByNumber(const Message& message, uint32_t number) {
  if (number < message.dense.size()) {
    const uint8_t slot = message.dense[number];
    return slot != 0 ? &message.fields[slot - 1u] : nullptr;
  }
  size_t lo = 0, hi = message.sparse.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (message.sparse[mid].number < number) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < message.sparse.size() && message.sparse[lo].number == number
             ? &message.fields[message.sparse[lo].field]
             : nullptr;
}

const Message* FindMessage(std::string_view full_name);  // nullptr: not in the schema
const Enum* FindEnum(std::string_view full_name);
const Field* FieldByName(const Message& message, std::string_view name);
// The value's name, or empty when the number has none (JSON prints the number).
std::string_view EnumName(const Enum& e, int32_t number);
// The message type of a kMessage or kMap field.
inline const Message& TypeOf(const Field& field) {
  return MessageAt(field.type);
}

// tetragon.GetEventsResponse, and the members of its `event` oneof: the event
// types, whose field numbers are the EventType numbers (process_exec = 1 ...).
const Message& EventsResponse();
std::span<const Field> EventTypes();
// The event type with that number (= EventType), or nullptr.
const Field* EventType(uint32_t number);

}  // namespace tetrars::schema

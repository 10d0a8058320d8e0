// JSON straight from wire bytes: the object `tetra getevents -o json` prints,
// byte for byte what the reflection writer (tests/reference/json_writer.h
// AppendJson, the test oracle) prints for the same bytes parsed by
// libprotobuf, without parsing them into a message.
//
// Contract: Append() prints the message `type` encoded in `data`, which must
// have passed wire::Validate() for `type` (on other bytes it stays in bounds,
// but the output is unspecified). Protobuf's semantics are kept through
// wire::Walker: declaration order; last occurrence wins for scalars and among
// oneof members; repeated fields in wire order, packed and unpacked alike;
// message fields merged over their occurrences; map entries with a missing
// key or value take the default, duplicate keys keep the last, keys sorted;
// unknown fields skipped; proto3 defaults omitted. Like AppendJson it refuses
// (returns false, `out` unchanged, the same `error` text) a Timestamp or
// Duration out of range and Any/Struct/Value/ListValue.
// One writer per thread; it keeps its arenas across calls, so printing
// allocates nothing once they have grown (beyond `out` itself).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decode/schema.h"
#include "decode/wire.h"

namespace tetrars {

class WireJsonWriter {
 public:
  bool Append(const schema::Message& type, const uint8_t* data, size_t size, std::string& out,
              std::string* error = nullptr);

  // Prints every `replaced` message as `replacement` (same bytes, the older
  // meaning of its field numbers: an old agent's tetragon.Pod is printed as
  // tetragon.history.PodWithLabels). nullptr: no replacement.
  void PrintAs(const schema::Message* replaced, const schema::Message* replacement) {
    replaced_ = replaced;
    replacement_ = replacement;
  }

 private:
  struct MapEntry {
    uint64_t key_bits;
    std::string_view key_text;
    wire::Span entry;
  };

  bool Message(const schema::Message& type, std::span<const wire::Span> spans);
  bool WellKnown(const schema::Message& type, std::span<const wire::Span> spans);
  bool Repeated(const schema::Field& field, const wire::Slot& slot, bool* any);
  bool Map(const schema::Field& field, const wire::Slot& slot);
  MapEntry ReadKey(const schema::Message& entry_type, const wire::Span& entry);
  bool MapValue(const schema::Message& entry_type, const wire::Span& entry);
  void Value(const schema::Field& field, const wire::Occurrence& occurrence);
  bool Fail(std::string why);

  wire::Walker walker_;
  const schema::Message* replaced_ = nullptr;
  const schema::Message* replacement_ = nullptr;
  std::vector<MapEntry> entries_;
  std::string scratch_;  // FieldMask paths
  std::string* out_ = nullptr;
  std::string error_;
};

}  // namespace tetrars

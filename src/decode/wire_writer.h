// A protobuf wire writer, just enough for the messages tetrars builds itself
// (the GetEventsRequest, an event's identity line): varints and
// length-delimited fields, appended in the order the caller writes them
// (protobuf writes fields in number order; callers do the same). A nested
// message is written into its own WireWriter and added with Message().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tetrars {

// A varint appended to `out`, as protobuf encodes it.
inline void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out += char(uint8_t(value) | 0x80);
    value >>= 7;
  }
  out += char(value);
}

class WireWriter {
 public:
  void Varint(uint32_t field, uint64_t value) {
    Tag(field, 0);
    Raw(value);
  }
  void Bytes(uint32_t field, std::string_view bytes) {
    Tag(field, 2);
    Raw(bytes.size());
    out_.append(bytes);
  }
  void Message(uint32_t field, const WireWriter& message) { Bytes(field, message.bytes()); }
  // A packed repeated varint field (proto3's encoding of repeated scalars).
  template <typename Values>
  void PackedVarints(uint32_t field, const Values& values) {
    if (values.empty()) return;
    WireWriter packed;
    for (const auto value : values) packed.Raw(uint64_t(value));
    Bytes(field, packed.bytes());
  }
  const std::string& bytes() const { return out_; }
  bool empty() const { return out_.empty(); }

 private:
  void Tag(uint32_t field, uint32_t wire_type) { Raw((uint64_t(field) << 3) | wire_type); }
  void Raw(uint64_t value) { AppendVarint(value, out_); }
  std::string out_;
};

}  // namespace tetrars

// Protobuf wire format and gRPC framing written by hand, for the fake agent's
// faults and for tests that must craft exact bytes (independently of
// libprotobuf's serializer).
#pragma once

#include <cstdint>
#include <string>

namespace wire {

inline std::string Varint(uint64_t value) {
  std::string out;
  for (; value >= 0x80; value >>= 7) out += char(value | 0x80);
  return out + char(value);
}

// A varint field (wire type 0).
inline std::string VarintField(int number, uint64_t value) {
  return Varint(uint64_t(number) << 3) + Varint(value);
}

// A length-delimited field (wire type 2): bytes, string, message, packed.
inline std::string BytesField(int number, const std::string& bytes) {
  return Varint((uint64_t(number) << 3) | 2) + Varint(bytes.size()) + bytes;
}

// One gRPC message: flag byte, 4-byte big-endian length, payload.
inline std::string Frame(const std::string& payload, char flag = 0) {
  std::string out(1, flag);
  for (int shift = 24; shift >= 0; shift -= 8) out += char((payload.size() >> shift) & 0xff);
  return out + payload;
}

}  // namespace wire

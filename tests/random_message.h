// Random messages of any type of the schema, for differential tests: every
// field set with some probability, repeated fields 0-3 elements, strings of
// awkward bytes (controls, quotes, UTF-8 and bytes that are not UTF-8),
// unknown enum numbers, maps, nesting up to 4 levels. Deterministic per seed.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <random>
#include <string>

namespace test_util {

class RandomMessages {
 public:
  explicit RandomMessages(uint32_t seed) : random_(seed) {}

  void Fill(google::protobuf::Message& message, int depth);

 private:
  bool Chance(int one_in) { return random_() % one_in != 0; }
  std::string Bytes();
  void Set(google::protobuf::Message& m, const google::protobuf::Reflection* r,
           const google::protobuf::FieldDescriptor* f, int depth);
  void Add(google::protobuf::Message& m, const google::protobuf::Reflection* r,
           const google::protobuf::FieldDescriptor* f, int depth);
  uint64_t Wide() { return (uint64_t(random_()) << 32) | random_(); }
  double Double();

  std::mt19937 random_;
};

}  // namespace test_util

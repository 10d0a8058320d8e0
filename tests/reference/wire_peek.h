// Part of stage 2 (decode): a look at a GetEventsResponse's wire bytes
// without parsing it.
//
// Contract: PeekEvent() walks the whole message along our descriptors,
// allocating nothing, and
//   - checks what protobuf's parser checks: the wire structure, field
//     numbers, lengths, nesting depth, and that every string field is UTF-8;
//     `problem` names the first fault ("field tetragon.Process.binary is not
//     valid UTF-8", "... at byte 12");
//   - reads the event kind (the oneof field number) and the auid of the
//     event's process (process_exec.process.auid / process_exit.process.auid).
// `simple` is true when the message has exactly one event field, an exec or
// an exit, one process in it and at most one auid with one value, so that protobuf's merge rules
// cannot make a full parse see another kind or auid. When the peek is valid
// and simple, a full parse succeeds and agrees with it (fuzzed: fuzz/harness.cpp);
// otherwise the caller must parse. The filter uses it to reject events of
// non-human users without parsing them.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tetrars {

struct WirePeek {
  bool valid = false;
  bool simple = false;
  int kind = 0;  // GetEventsResponse field number of the event (= EventType), 0: none
  bool has_auid = false;
  uint32_t auid = 0;
  std::string problem;  // why it is not valid
};

// Keeps, across calls, a table from field number to field per message type,
// so the walk does not search descriptors for every field (the hot loop).
class WirePeeker {
 public:
  WirePeek Peek(const uint8_t* data, size_t size);
  // What the walk needs to know of field `number` of `type`.
  struct FieldInfo {
    const google::protobuf::FieldDescriptor* field = nullptr;  // nullptr: unknown field
    bool is_string = false;                                    // UTF-8 checked
    const google::protobuf::Descriptor* message = nullptr;     // walked into
  };
  FieldInfo Field(const google::protobuf::Descriptor* type, uint64_t number);

 private:
  static constexpr uint64_t kTableSize = 64;
  static FieldInfo Describe(const google::protobuf::FieldDescriptor* field);
  std::unordered_map<const google::protobuf::Descriptor*, std::vector<FieldInfo>> tables_;
  std::map<std::pair<const google::protobuf::Descriptor*, uint64_t>, FieldInfo> large_;
};

// One-off peek (a fresh table each time).
WirePeek PeekEvent(const uint8_t* data, size_t size);

}  // namespace tetrars

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
// `simple` is true when the message has exactly one event field, one process
// in it and at most one auid with one value, so that protobuf's merge rules
// cannot make a full parse see another kind or auid. When the peek is valid
// and simple, a full parse succeeds and agrees with it (fuzzed: fuzz/harness.cpp);
// otherwise the caller must parse. The filter uses it to reject events of
// non-human users without parsing them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tetrars {

struct WirePeek {
  bool valid = false;
  bool simple = false;
  int kind = 0;  // GetEventsResponse field number of the event (= EventType), 0: none
  bool has_auid = false;
  uint32_t auid = 0;
  std::string problem;  // why it is not valid
};

WirePeek PeekEvent(const uint8_t* data, size_t size);

}  // namespace tetrars

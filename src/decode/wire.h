// The table-driven walker over protobuf wire bytes: the one decoder of the
// schema compiled into schema.h. No libprotobuf, no descriptors.
//
// Contract:
//   - Validate() accepts exactly the bytes libprotobuf 3.21's ParseFromArray
//     accepts for the same message type (fuzzed against it:
//     fuzz/wire_oracle_fuzzer.cpp), and names the first fault with
//     wire_peek.cpp's phrases ("field tetragon.Process.binary is not valid
//     UTF-8", "... at byte N"). It allocates only to write that phrase.
//   - Walker indexes validated bytes of one message into per-field occurrence
//     lists that carry protobuf's merge semantics: the last occurrence wins
//     for a scalar; a oneof keeps only the occurrences of its last member that
//     came after the last switch to it; a message field's occurrences are
//     its merge (a message is a LIST of spans); a known field arriving with
//     another wire type is an unknown field, as in libprotobuf. The JSON
//     writer (wire_json.h) and Find() below read through it. Its arena is
//     reused, so steady state allocates nothing.
//   - On bytes that did not pass Validate the walker stays in bounds and
//     terminates; what it reads is then unspecified.
//
// libprotobuf's limits kept here: a tag is at most 5 bytes (bits past 32 are
// dropped), a length at most 5 bytes and below 2^31, a varint at most 10
// bytes; nesting (messages and groups alike) at most 100 below the top.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "decode/schema.h"

namespace tetrars::wire {

constexpr int kMaxDepth = 100;  // protobuf's default recursion limit

// One run of a message's bytes; a message is the concatenation of its spans.
struct Span {
  const uint8_t* data;
  size_t size;
};

// A known field is parsed as itself only with its own wire type, or 2 for a
// repeated numeric field (packed). Any other wire type makes it an unknown
// field, which protobuf skips ("goto handle_unusual").
inline bool Accepts(const schema::Field& field, uint32_t wire_type) {
  return wire_type == field.wire_type || (wire_type == 2 && field.Is(schema::kPackable));
}

// True when `data` parses as `type`; otherwise `problem` (if given) says why.
bool Validate(const schema::Message& type, const uint8_t* data, size_t size,
              std::string* problem = nullptr);

// What the filter needs of a GetEventsResponse, read while validating it (no
// second pass): the event kind and the auid of the event's process. Only
// `simple` facts are trustworthy: exactly one occurrence of an event member,
// of its `process`, and at most one of `process.auid`, so that protobuf's
// merge rules (last wins, merged occurrences, oneof switches) cannot make a
// full read see anything else. Otherwise read with FindInEvent.
struct EventFacts {
  bool simple = false;
  uint32_t kind = 0;  // the event member's field number (= EventType)
  bool has_auid = false;
  uint32_t auid = 0;
};
bool ValidateEvent(const uint8_t* data, size_t size, EventFacts* facts,
                   std::string* problem = nullptr);
// The same facts without validating: only the fields on the way to
// process.auid are read, every other field is stepped over by its length (no
// UTF-8 check, no nested walk). Skim() is true with `simple` facts that equal
// ValidateEvent's whenever the bytes are valid; false (nothing known) for
// anything less plain (several event members, processes or auids, groups,
// broken bytes), which then takes ValidateEvent. For the events the filter
// drops on these facts alone (docs/performance.md: why that is safe). It
// keeps, per event type, the tags on the way (looked up by name once).
class EventSkimmer {
 public:
  bool Skim(const uint8_t* data, size_t size, EventFacts* facts);

 private:
  struct Plan {
    uint32_t process_tag = 0;  // 0: the type has no `process`
    uint32_t auid_tag = 0;     // the process's `auid` wrapper
    uint32_t value_tag = 0;    // the wrapper's `value`
  };
  static Plan PlanFor(const schema::Field& member);
  // Members numbered kCached and above (TEST) are planned on each use.
  Plan CachedPlanFor(const schema::Field& member);
  static constexpr uint32_t kCached = 64;
  Plan plans_[kCached];
  bool planned_[kCached] = {};
};

// One occurrence of a known field: a varint or fixed value (`bits`, raw), or
// the payload of a length-delimited one (`data`, `size`: a string, a message,
// or a packed run of scalars).
struct Occurrence {
  const uint8_t* data;
  uint64_t bits;  // varint / fixed value; payload size when wire_type == 2
  uint32_t next;  // the field's next occurrence, kNone at the end
  uint8_t wire_type;
};

constexpr uint32_t kNone = 0xffffffffu;

struct Slot {
  uint32_t first = kNone;  // wire order
  uint32_t last = kNone;
};

// A scalar as read: `bits` is the raw varint/fixed value, `text` the string
// or bytes. Convert with the kind (As* below).
struct Scalar {
  bool present = false;  // as protobuf's HasField (implicit presence: non-default)
  schema::Kind kind = schema::Kind::kInt32;
  uint64_t bits = 0;
  std::string_view text;
};

// A scalar's raw bits as protobuf stores them for a field of `kind`:
// int32/uint32/enum/sint32 keep the low 32 bits, sint* are zigzag decoded,
// float/double are the IEEE bits. AsInt64 for signed kinds and enums,
// AsUint64 for unsigned kinds and bool, AsDouble for any numeric kind.
int64_t AsInt64(schema::Kind kind, uint64_t bits);
uint64_t AsUint64(schema::Kind kind, uint64_t bits);
double AsDouble(schema::Kind kind, uint64_t bits);
// True when the occurrence holds the field's proto3 default (0, "", false,
// +0.0: protobuf compares float bits, so -0.0 is not a default).
bool IsDefault(schema::Kind kind, const Occurrence& occurrence);

// libprotobuf's readers. Each advances `p` and returns true, or returns false
// when the bytes end first or the encoding is longer than libprotobuf reads.
inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* value) {
  if (p < end && *p < 0x80) {
    *value = *p++;
    return true;
  }
  uint64_t result = 0;
  for (int shift = 0; shift < 70 && p < end; shift += 7) {
    const uint8_t b = *p++;
    if (shift < 64) result |= uint64_t(b & 0x7f) << shift;
    if (b < 0x80) {
      *value = result;
      return true;
    }
  }
  return false;
}
// A tag: at most 5 bytes, the value kept modulo 2^32 (as ReadTag does).
inline bool ReadTag(const uint8_t*& p, const uint8_t* end, uint32_t* tag) {
  if (p < end && *p < 0x80) {
    *tag = *p++;
    return true;
  }
  uint32_t result = 0;
  for (int shift = 0; shift < 35 && p < end; shift += 7) {
    const uint8_t b = *p++;
    result |= uint32_t(b & 0x7f) << shift;
    if (b < 0x80) {
      *tag = result;
      return true;
    }
  }
  return false;
}
// A length: at most 5 bytes and below 2^31 - 16 (as ReadSize does).
inline bool ReadSize(const uint8_t*& p, const uint8_t* end, uint32_t* size) {
  if (p < end && *p < 0x80) {
    *size = *p++;
    return true;
  }
  uint64_t result = 0;
  for (int shift = 0; shift < 35 && p < end; shift += 7) {
    const uint8_t b = *p++;
    result |= uint64_t(b & 0x7f) << shift;
    if (b < 0x80) {
      if (result > 0x7fffffffu - 16) return false;
      *size = uint32_t(result);
      return true;
    }
  }
  return false;
}

// A field path ("process_exec.process.auid") compiled against a message type.
// It may go through singular message fields and oneof members and must end
// at a singular scalar or at a wrapper (google.protobuf.UInt32Value ...),
// whose `value` it then reads: present = the wrapper is set.
struct Path {
  static constexpr int kMaxSteps = 16;
  const schema::Field* steps[kMaxSteps] = {};
  int size = 0;
  bool through_wrapper = false;  // the last step is a wrapper's `value`
};
bool CompilePath(const schema::Message& root, std::string_view path, Path* out,
                 std::string* error = nullptr);

// The last occurrence of the scalar `field` (not in a oneof) of a message
// made of `spans`, without an index: for wrappers and Timestamps, the
// commonest messages. False when it does not occur.
bool LastOccurrence(std::span<const Span> spans, const schema::Field& field, Occurrence* out);

struct EventPath;

class Walker {
 public:
  Walker();

  // The index of one message: Slot of field f at slots()[base + f.index].
  struct Index {
    const schema::Message* type;
    uint32_t slot_base;
    uint32_t case_base;  // oneof o's member: cases()[case_base + o], -1: none
  };
  // Reads every field of `spans` (in order). Valid until Release() below it.
  Index Build(const schema::Message& type, std::span<const Span> spans);

  const Slot& slot(const Index& index, const schema::Field& field) const {
    return slots_[index.slot_base + field.index];
  }
  // False for a oneof member other than the oneof's last set member.
  bool Selected(const Index& index, const schema::Field& field) const {
    return field.oneof < 0 || cases_[index.case_base + uint32_t(field.oneof)] == field.index;
  }
  const Occurrence& occurrence(uint32_t i) const { return occurrences_[i]; }

  // The payloads of a message field's occurrences, pushed as a span list.
  std::span<const Span> Spans(const Slot& slot);

  // Arena marks: everything built after Save() is dropped by Restore().
  struct Mark {
    size_t occurrences, slots, cases, spans;
  };
  Mark Save() const { return {occurrences_.size(), slots_.size(), cases_.size(), spans_.size()}; }
  void Restore(const Mark& mark);

  // The scalar at `path` in the message `root` encoded in `data` (validated).
  Scalar Find(const schema::Message& root, const uint8_t* data, size_t size, const Path& path);

  // The event kind of a validated GetEventsResponse: the field number of its
  // last set `event` member (= EventType), 0 when none of ours is set.
  uint32_t EventKind(const uint8_t* data, size_t size);

  // See FindInEvent() below.
  Scalar FindInEvent(const uint8_t* data, size_t size, const EventPath& path);

 private:
  // Find() and FindInEvent() read only the fields on the path (no Build).
  bool Follow(const schema::Message& type, size_t from, size_t count, const schema::Field& field,
              Occurrence* last);
  Scalar FindFrom(const schema::Message& root, size_t from, size_t count, const Path& path,
                  int step);
  const schema::Field* Event(const uint8_t* data, size_t size);

  void Scan(const schema::Message& type, const Span& span, uint32_t slot_base, uint32_t case_base);

  std::vector<Occurrence> occurrences_;
  std::vector<Slot> slots_;
  std::vector<int16_t> cases_;
  std::vector<Span> spans_;
};

// Event-relative paths: "process.auid" means <event>.process.auid for every
// event type that has it (process_exec, process_exit, process_kprobe ...).
struct EventPath {
  std::vector<std::pair<uint32_t, Path>> by_kind;  // (event field number, path from the root)
};
// False when no event type has `path` as a scalar (error says why).
bool CompileEventPath(std::string_view path, EventPath* out, std::string* error = nullptr);
// The scalar at `path` in the event's own message; not present when the
// event's type lacks the path or no event is set.
Scalar FindInEvent(Walker& walker, const uint8_t* data, size_t size, const EventPath& path);

}  // namespace tetrars::wire

// An old agent's field filter, applied by tetrars to an event's wire bytes.
//
// Why: Tetragon agents before v1.1.0 apply a client's
// GetEventsRequest.field_filters to the event they share between clients, in
// place, so one client's filter damages the others' events. With such agents
// tetrars sends no field filter and applies the same masks itself; the output
// must then be what the agent's filter would have sent.
//
// Contract: the semantics are those of Tetragon v0.10.0 (pkg/filters/fields.go
// with github.com/mennanov/fmutils v0.2.0), for filters with an empty
// event_set (every event type), the only ones tetrars uses:
//   - The filters apply in the order added, each to the output of the one
//     before. Each applies to the set member of the response's `event` oneof
//     (the ProcessExec ...), never to the response's own fields: a path
//     "time" names a field of the event (ProcessExec has none), never the
//     response's time.
//   - Paths make a nested mask: "process.pid" is {process:{pid:{}}}; empty
//     segments (repeated, leading or trailing dots) are skipped; a path that is
//     a prefix of another adds nothing ("process" + "process.pid", in either
//     order, is {process:{pid:{}}}: the nested one wins). Names are proto
//     field names; names the type lacks never match (the agent ignores them).
//   - INCLUDE (fmutils Filter): an empty mask keeps everything. Otherwise each
//     SET field (proto3: a non-default scalar, a present message, a non-empty
//     list or map; of a oneof only its set member) not in the mask is cleared;
//     in the mask with no submask it is kept whole; with a submask: a message is
//     filtered by it (and stays present, even if emptied); each element of a
//     list of messages is; a map keeps the entries whose key (as text) is in
//     the submask, filtering a message value by that key's submask when it is
//     not empty, and drops the others; a scalar is kept.
//   - EXCLUDE (fmutils Prune): an empty mask changes nothing. Each set field in
//     the mask with no submask is cleared; with a submask: a message (each of a
//     list's) is pruned by it; a map drops the entries whose key is in the
//     submask, unless the value is a message and that key's submask is not
//     empty, when the value is pruned by it instead; a scalar is kept. Fields
//     not in the mask are kept.
//   - Where fmutils panics (a submask on a list of scalars: the agent would
//     crash) the list is kept, as a scalar with a submask is.
//   - A map key with a '.' cannot be named (the dot splits the path), as with
//     the agent. Paths are compared as bytes (the agent gets them as proto3
//     strings, so valid UTF-8).
// Protobuf's merge semantics are kept: a scalar's last occurrence wins, a
// message's occurrences merge, a oneof's last set member wins (wire.h's
// Walker). The output is a canonical GetEventsResponse: the response's own
// fields are copied as they are (occurrence by occurrence, same values), the
// event member is written once, as the masked merge of its occurrences; a field
// kept whole is copied with all its effective occurrences, one with a submask
// is rewritten. Dropped on the way, with no visible difference: fields unknown
// to our schema (never printed), the non-selected members of oneofs, the
// earlier occurrences of scalars.
//
// Apply allocates nothing once its buffers and the walker's arena have grown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "decode/schema.h"
#include "decode/wire.h"

namespace tetrars {

class FieldMasks {
 public:
  // Masks over our schema; or over it with every `replaced` message read as
  // `replacement` (an old agent's tetragon.Pod as its
  // tetragon.history.PodWithLabels: field 3 is a list there, kept whole).
  FieldMasks() = default;
  FieldMasks(const schema::Message* replaced, const schema::Message* replacement)
      : replaced_(replaced), replacement_(replacement) {}

  // One GetEventsRequest.field_filters entry (empty event_set), in request
  // order: its `fields.paths`, and whether its action is EXCLUDE (INCLUDE
  // otherwise). Compiled against every event type of the schema here, once.
  void Add(const std::vector<std::string>& paths, bool exclude);

  // True when Apply changes nothing: no filter, or only filters whose mask is
  // empty (no path with a name in it), which the agent skips too.
  bool empty() const { return filters_.empty(); }

  // Writes `data` (a GetEventsResponse that passed wire::Validate) with the
  // masks applied to its event into `out` (replaced; must not hold `data`).
  void Apply(const uint8_t* data, size_t size, wire::Walker& walker, std::string& out);

 private:
  // What a mask says of one field of a message type.
  enum class Action : uint8_t {
    kNone,     // not in the mask
    kWhole,    // in it, no submask
    kMessage,  // a message or list of messages, with a submask (node)
    kMap,      // a map with a submask (node: its keys)
    kScalar,   // a scalar or list of scalars with a submask: kept by both actions
  };
  struct Entry {
    Action action = Action::kNone;
    int32_t node = -1;
  };
  struct Key {
    std::string text;
    int32_t node;  // the value's mask when it is a message and the submask is not empty; else -1
  };
  // A non-empty mask compiled against one message type (`fields`, by field
  // index), or a map's submask (`keys`).
  struct Node {
    std::vector<Entry> fields;
    std::vector<Key> keys;
  };
  struct Filter {
    bool exclude;
    std::vector<int32_t> roots;  // by GetEventsResponse field index: the event member's mask
  };
  struct Names;

  int32_t Compile(const schema::Message& type, const Names& names);
  int32_t CompileKeys(const schema::Field& map, const Names& names);

  void Pass(const Filter& filter, const uint8_t* data, size_t size, std::string& out);
  void Masked(const schema::Field& field, std::span<const wire::Span> spans, int32_t node,
              std::string& out);
  void Body(const schema::Message& type, std::span<const wire::Span> spans, int32_t node,
            std::string& out);
  void MapEntry(const schema::Field& field, const wire::Occurrence& entry, int32_t node,
                std::string& out);

  // The message type a field's bytes are read as (see the constructor).
  const schema::Message& Read(const schema::Message& type) const {
    return &type == replaced_ ? *replacement_ : type;
  }

  const schema::Message* replaced_ = nullptr;
  const schema::Message* replacement_ = nullptr;
  std::vector<Node> nodes_;
  std::vector<Filter> filters_;
  // While applying: the walker, the action of the pass, the passes' buffers.
  wire::Walker* walker_ = nullptr;
  bool exclude_ = false;
  std::string buffers_[2];
};

}  // namespace tetrars

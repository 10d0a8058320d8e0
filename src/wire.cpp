// See wire.h. Validation mirrors libprotobuf 3.21's generated parsers
// (_InternalParse, ParseContext, UnknownFieldParse) rule by rule; the
// comments name the libprotobuf behaviour each rule reproduces.
#include "wire.h"

#include <bit>
#include <cstring>

#include "utf8.h"

namespace tetrars::wire {
namespace {

using schema::Field;
using schema::Kind;
using schema::Message;

// A known field is parsed as itself only with its own wire type, or 2 for a
// repeated numeric field (packed). Any other wire type makes it an unknown
// field, which protobuf skips ("goto handle_unusual").
inline bool Accepts(const Field& field, uint32_t wire_type) {
  return wire_type == field.wire_type || (wire_type == 2 && field.Is(schema::kPackable));
}

int FixedWidth(Kind kind) {
  switch (kind) {
    case Kind::kFixed64:
    case Kind::kSfixed64:
    case Kind::kDouble:
      return 8;
    case Kind::kFixed32:
    case Kind::kSfixed32:
    case Kind::kFloat:
      return 4;
    default:
      return 0;  // varint
  }
}

// Where the walk is on the way to process.auid of a GetEventsResponse's
// event: the response (kRoot), the event member (kEvent), its process
// (kProcess), the auid wrapper (kAuid); anywhere else kOff.
enum class FactsLevel : uint8_t { kOff, kRoot, kEvent, kProcess, kAuid };

struct FactsCounts {
  int events = 0;     // occurrences of any event member
  int processes = 0;  // of the event member's `process`
  int auids = 0;      // of that process's `auid`
};

class Validator {
 public:
  Validator(const uint8_t* begin, std::string* problem) : begin_(begin), problem_(problem) {}

  // With facts: read the kind and process.auid on the way (ValidateEvent).
  void CollectFacts(EventFacts* facts) { facts_ = facts; }
  const FactsCounts& counts() const { return counts_; }

  bool Walk(const Message& type, const uint8_t* p, const uint8_t* end, int depth,
            FactsLevel level = FactsLevel::kOff) {
    // ParseMessage: --depth_ < 0 fails, before the content is read.
    if (depth > kMaxDepth) return Fail(p, "messages nested more than 100 deep");
    while (p < end) {
      const uint8_t* at = p;
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return Fail(at, "a field tag is cut short");
      const uint32_t number = tag >> 3;
      const uint32_t wire_type = tag & 7;
      // Tag 0 ends a message early (fails EndedAtLimit); field number 0 is
      // refused by FieldParser.
      if (number == 0) return Fail(at, "invalid field number");
      const Field* field = schema::FieldByNumber(type, number);
      if (field == nullptr || !Accepts(*field, wire_type)) {
        if (!Skip(type, field, tag, p, end, depth, at)) return false;
        continue;
      }
      switch (wire_type) {
        case 0: {
          uint64_t value;
          if (!ReadVarint(p, end, &value)) return Fail(at, "a varint is cut short");
          if (level == FactsLevel::kAuid && number == 1) facts_->auid = uint32_t(value);
          break;
        }
        case 1:
        case 5: {
          const size_t width = wire_type == 1 ? 8 : 4;
          if (size_t(end - p) < width) return Fail(at, "a fixed-width value is cut short");
          p += width;
          break;
        }
        default:  // 2
          if (!LengthDelimited(type, *field, p, end, depth, level, at)) return false;
      }
    }
    return true;
  }

 private:
  // A known length-delimited field: a string (valid UTF-8), a message
  // (walked), bytes, or a packed run of scalars.
  bool LengthDelimited(const Message& type, const Field& field, const uint8_t*& p,
                       const uint8_t* end, int depth, FactsLevel level, const uint8_t* at) {
    uint32_t length;
    if (!ReadSize(p, end, &length)) return Fail(at, "a length is cut short");
    if (length > size_t(end - p)) return Overrun(Name(type, &field, field.number), length, p, end);
    const uint8_t* value = p;
    p += length;
    if (field.kind == Kind::kString) {
      // proto3 strings (map keys and values too): VerifyUTF8.
      if (IsValidUtf8({reinterpret_cast<const char*>(value), length})) return true;
      if (problem_) *problem_ = "field " + Name(type, &field, field.number) + " is not valid UTF-8";
      return false;
    }
    if (field.kind == Kind::kMessage) {
      const FactsLevel inner = level == FactsLevel::kOff ? level : Descend(level, field);
      return Walk(schema::TypeOf(field), value, p, depth + 1, inner);
    }
    if (field.kind != Kind::kBytes && !Packed(field, value, p)) {
      return Fail(at, "packed field " + Name(type, &field, field.number) + " ends inside a value");
    }
    return true;
  }

  // The level inside `field` of a message at `level`, counting the
  // occurrences on the way.
  FactsLevel Descend(FactsLevel level, const Field& field) {
    switch (level) {
      case FactsLevel::kRoot:
        if (field.oneof < 0 || schema::EventType(field.number) != &field) return FactsLevel::kOff;
        ++counts_.events;
        facts_->kind = field.number;
        return FactsLevel::kEvent;
      case FactsLevel::kEvent:
        if (field.name != "process") return FactsLevel::kOff;
        ++counts_.processes;
        return FactsLevel::kProcess;
      case FactsLevel::kProcess:
        if (field.name != "auid") return FactsLevel::kOff;
        ++counts_.auids;
        facts_->has_auid = true;
        return FactsLevel::kAuid;
      default:
        return FactsLevel::kOff;
    }
  }

  // A packed run: ReadPackedVarint needs every varint to end exactly at the
  // run's end; ReadPackedFixed needs a whole number of values.
  static bool Packed(const Field& field, const uint8_t* p, const uint8_t* end) {
    if (const int width = FixedWidth(field.kind)) return size_t(end - p) % size_t(width) == 0;
    while (p < end) {
      uint64_t value;
      if (!ReadVarint(p, end, &value)) return false;
    }
    return true;
  }

  // An unknown field (or a known one with another wire type): UnknownFieldParse.
  bool Skip(const Message& type, const Field* field, uint32_t tag, const uint8_t*& p,
            const uint8_t* end, int depth, const uint8_t* at) {
    const uint32_t number = tag >> 3;
    switch (tag & 7) {
      case 0: {
        uint64_t value;
        if (!ReadVarint(p, end, &value)) return Fail(at, "a varint is cut short");
        return true;
      }
      case 1:
      case 5: {
        const size_t width = (tag & 7) == 1 ? 8 : 4;
        if (size_t(end - p) < width) return Fail(at, "a fixed-width value is cut short");
        p += width;
        return true;
      }
      case 2: {
        uint32_t length;
        if (!ReadSize(p, end, &length)) return Fail(at, "a length is cut short");
        if (length > size_t(end - p)) return Overrun(Name(type, field, number), length, p, end);
        p += length;
        return true;
      }
      case 3:
        // ParseGroup: counts against the recursion limit like a message, and
        // must end with the end-group tag of the same number.
        return Group(type, number, p, end, depth + 1, at);
      case 4:
        // An end-group tag outside its group ends the message early: refused.
        return Fail(at, "an end-group tag without its group");
      default:
        return Fail(at, "wire type " + std::to_string(tag & 7) + " of field " +
                            Name(type, field, number) + " is not allowed");
    }
  }

  // The content of an unknown group: unknown fields up to its end-group tag.
  bool Group(const Message& type, uint32_t number, const uint8_t*& p, const uint8_t* end, int depth,
             const uint8_t* start) {
    if (depth > kMaxDepth) return Fail(start, "messages nested more than 100 deep");
    while (p < end) {
      const uint8_t* at = p;
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return Fail(at, "a field tag is cut short");
      if ((tag & 7) == 4) {
        if ((tag >> 3) == number) return true;
        return Fail(at, "the group of field " + Name(type, nullptr, number) +
                            " ends with another field's end-group tag");
      }
      if ((tag >> 3) == 0) return Fail(at, "invalid field number");
      if (!Skip(type, nullptr, tag, p, end, depth, at)) return false;
    }
    return Fail(start, "the group of field " + Name(type, nullptr, number) + " has no end");
  }

  // At the byte after the length, as the reference (wire_peek) says it.
  bool Overrun(const std::string& name, uint32_t length, const uint8_t* p, const uint8_t* end) {
    return Fail(p, "field " + name + " announces " + std::to_string(length) + " bytes but " +
                       std::to_string(end - p) + " remain");
  }

  static std::string Name(const Message& type, const Field* field, uint32_t number) {
    return std::string(type.full_name) +
           (field != nullptr ? "." + std::string(field->name) : "#" + std::to_string(number));
  }

  bool Fail(const uint8_t* p, const std::string& what) {
    if (problem_) *problem_ = what + " at byte " + std::to_string(p - begin_);
    return false;
  }

  EventFacts* facts_ = nullptr;
  FactsCounts counts_;
  const uint8_t* begin_;
  std::string* problem_;
};

// Skips one unknown field without recursion (groups by counting), staying in
// bounds whatever the bytes: false when they end first.
bool SkipUnknown(uint32_t tag, const uint8_t*& p, const uint8_t* end) {
  int groups = 0;
  for (;;) {
    switch (tag & 7) {
      case 0: {
        uint64_t value;
        if (!ReadVarint(p, end, &value)) return false;
        break;
      }
      case 1:
      case 5: {
        const size_t width = (tag & 7) == 1 ? 8 : 4;
        if (size_t(end - p) < width) return false;
        p += width;
        break;
      }
      case 2: {
        uint32_t length;
        if (!ReadSize(p, end, &length) || length > size_t(end - p)) return false;
        p += length;
        break;
      }
      case 3:
        ++groups;
        break;
      case 4:
        --groups;
        break;
      default:
        return false;
    }
    if (groups <= 0) return groups == 0;
    if (!ReadTag(p, end, &tag)) return false;
  }
}

}  // namespace

bool Validate(const Message& type, const uint8_t* data, size_t size, std::string* problem) {
  Validator validator(data, problem);
  return validator.Walk(type, data, data + size, 0);
}

namespace {

// One field's value after its tag: a varint's value in `*value`, a
// length-delimited payload in `*payload`; fixed values are stepped over.
// False when the bytes break or hold a group (a skim then knows nothing).
inline bool SkimValue(uint32_t tag, const uint8_t*& p, const uint8_t* end, uint64_t* value,
                      Span* payload) {
  switch (tag & 7) {
    case 0:
      return ReadVarint(p, end, value);
    case 1:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case 5:
      if (end - p < 4) return false;
      p += 4;
      return true;
    case 2: {
      uint32_t length;
      if (!ReadSize(p, end, &length) || length > size_t(end - p)) return false;
      *payload = {p, length};
      p += length;
      return true;
    }
    default:
      return false;
  }
}

// The occurrences in `span` of the field whose tag is `wanted_tag` (number
// and wire type): how many, and the last one's payload or varint value.
bool SkimFor(Span span, uint32_t wanted_tag, int* count, Span* payload, uint64_t* value) {
  const uint8_t* p = span.data;
  const uint8_t* end = span.data + span.size;
  while (p < end) {
    uint32_t tag;
    if (!ReadTag(p, end, &tag) || (tag >> 3) == 0) return false;
    uint64_t v = 0;
    Span s{nullptr, 0};
    if (!SkimValue(tag, p, end, &v, &s)) return false;
    if (tag == wanted_tag) {
      ++*count;
      *payload = s;
      *value = v;
    }
  }
  return true;
}

constexpr uint32_t TagOf(const Field& field) {
  return field.number << 3 | field.wire_type;
}

}  // namespace

EventSkimmer::Plan EventSkimmer::PlanFor(const Field& member) {
  const Field* process = schema::FieldByName(schema::TypeOf(member), "process");
  if (process == nullptr || process->kind != Kind::kMessage) return {};
  const Field* auid = schema::FieldByName(schema::TypeOf(*process), "auid");
  if (auid == nullptr || auid->kind != Kind::kMessage) return {TagOf(*process), 0, 0};
  const Field* value = schema::FieldByNumber(schema::TypeOf(*auid), 1);
  return {TagOf(*process), TagOf(*auid), value != nullptr ? TagOf(*value) : 0};
}

EventSkimmer::Plan EventSkimmer::CachedPlanFor(const Field& member) {
  if (member.number >= kCached) return PlanFor(member);
  if (!planned_[member.number]) {
    plans_[member.number] = PlanFor(member);
    planned_[member.number] = true;
  }
  return plans_[member.number];
}

bool EventSkimmer::Skim(const uint8_t* data, size_t size, EventFacts* facts) {
  *facts = EventFacts{};
  // The response: exactly one occurrence of one event member.
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  const Field* member = nullptr;
  Span event{nullptr, 0};
  int events = 0;
  while (p < end) {
    uint32_t tag;
    if (!ReadTag(p, end, &tag) || (tag >> 3) == 0) return false;
    uint64_t value = 0;
    Span payload{nullptr, 0};
    if (!SkimValue(tag, p, end, &value, &payload)) return false;
    const Field* field = (tag & 7) == 2 ? schema::EventType(tag >> 3) : nullptr;
    if (field != nullptr) {
      ++events;
      member = field;
      event = payload;
    }
  }
  if (events != 1) return false;
  facts->kind = member->number;
  // The event: at most one `process`; in it at most one `auid` wrapper.
  const Plan plan = CachedPlanFor(*member);
  int processes = 0;
  Span process{nullptr, 0};
  uint64_t unused = 0;
  if (plan.process_tag != 0 &&
      (!SkimFor(event, plan.process_tag, &processes, &process, &unused) || processes > 1)) {
    return false;
  }
  if (processes == 1 && plan.auid_tag != 0) {
    int auids = 0;
    Span wrapper{nullptr, 0};
    if (!SkimFor(process, plan.auid_tag, &auids, &wrapper, &unused) || auids > 1) return false;
    if (auids == 1) {
      // google.protobuf.UInt32Value: its last value; none means 0.
      int values = 0;
      Span none{nullptr, 0};
      uint64_t auid = 0;
      if (!SkimFor(wrapper, plan.value_tag, &values, &none, &auid)) return false;
      facts->has_auid = true;
      facts->auid = uint32_t(auid);
    }
  }
  facts->simple = true;
  return true;
}

bool ValidateEvent(const uint8_t* data, size_t size, EventFacts* facts, std::string* problem) {
  *facts = EventFacts{};
  Validator validator(data, problem);
  validator.CollectFacts(facts);
  if (!validator.Walk(schema::EventsResponse(), data, data + size, 0, FactsLevel::kRoot)) {
    return false;
  }
  const FactsCounts& counts = validator.counts();
  facts->simple = counts.events == 1 && counts.processes <= 1 && counts.auids <= 1;
  if (!facts->simple) *facts = EventFacts{};
  return true;
}

int64_t AsInt64(Kind kind, uint64_t bits) {
  switch (kind) {
    case Kind::kSint32: {
      const uint32_t n = uint32_t(bits);
      return int32_t((n >> 1) ^ (~(n & 1) + 1));
    }
    case Kind::kSint64:
      return int64_t((bits >> 1) ^ (~(bits & 1) + 1));
    case Kind::kInt32:
    case Kind::kSfixed32:
    case Kind::kEnum:
      return int32_t(uint32_t(bits));
    case Kind::kUint32:
    case Kind::kFixed32:
      return uint32_t(bits);
    case Kind::kBool:
      return bits != 0;
    default:
      return int64_t(bits);
  }
}

uint64_t AsUint64(Kind kind, uint64_t bits) {
  switch (kind) {
    case Kind::kUint32:
    case Kind::kFixed32:
      return uint32_t(bits);
    case Kind::kBool:
      return bits != 0;
    default:
      return uint64_t(AsInt64(kind, bits));
  }
}

double AsDouble(Kind kind, uint64_t bits) {
  switch (kind) {
    case Kind::kDouble:
      return std::bit_cast<double>(bits);
    case Kind::kFloat:
      return std::bit_cast<float>(uint32_t(bits));
    case Kind::kUint64:
    case Kind::kFixed64:
      return double(bits);
    default:
      return double(AsInt64(kind, bits));
  }
}

bool IsDefault(Kind kind, const Occurrence& occurrence) {
  switch (kind) {
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kMessage:
      return occurrence.wire_type == 2 && occurrence.bits == 0;
    case Kind::kInt64:
    case Kind::kUint64:
    case Kind::kSint64:
    case Kind::kFixed64:
    case Kind::kSfixed64:
    case Kind::kDouble:
    case Kind::kBool:  // bool = (varint != 0), over all 64 bits
      return occurrence.bits == 0;
    default:  // 32-bit kinds keep the low 32 bits
      return uint32_t(occurrence.bits) == 0;
  }
}

bool LastOccurrence(std::span<const Span> spans, const Field& field, Occurrence* out) {
  bool found = false;
  for (const Span& span : spans) {
    const uint8_t* p = span.data;
    const uint8_t* const end = p + span.size;
    while (p < end) {
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return found;
      const uint32_t wire_type = tag & 7;
      if ((tag >> 3) != field.number || wire_type != field.wire_type) {
        if (!SkipUnknown(tag, p, end)) return found;
        continue;
      }
      Occurrence o{nullptr, 0, kNone, uint8_t(wire_type)};
      if (wire_type == 0) {
        if (!ReadVarint(p, end, &o.bits)) return found;
      } else if (wire_type == 2) {
        uint32_t length;
        if (!ReadSize(p, end, &length) || length > size_t(end - p)) return found;
        o.data = p;
        o.bits = length;
        p += length;
      } else {
        const size_t width = wire_type == 1 ? 8 : 4;
        if (size_t(end - p) < width) return found;
        std::memcpy(&o.bits, p, width);
        p += width;
      }
      *out = o;
      found = true;
    }
  }
  return found;
}

Walker::Walker() {
  occurrences_.reserve(256);
  slots_.reserve(256);
  cases_.reserve(32);
  spans_.reserve(64);
}

void Walker::Restore(const Mark& mark) {
  occurrences_.resize(mark.occurrences);
  slots_.resize(mark.slots);
  cases_.resize(mark.cases);
  spans_.resize(mark.spans);
}

Walker::Index Walker::Build(const Message& type, std::span<const Span> spans) {
  const Index index{&type, uint32_t(slots_.size()), uint32_t(cases_.size())};
  slots_.resize(slots_.size() + type.fields.size());
  cases_.resize(cases_.size() + type.oneofs.size(), -1);
  for (const Span& span : spans) Scan(type, span, index.slot_base, index.case_base);
  return index;
}

void Walker::Scan(const Message& type, const Span& span, uint32_t slot_base, uint32_t case_base) {
  const uint8_t* p = span.data;
  const uint8_t* const end = p + span.size;
  while (p < end) {
    uint32_t tag;
    if (!ReadTag(p, end, &tag)) return;
    const uint32_t wire_type = tag & 7;
    const Field* field = schema::FieldByNumber(type, tag >> 3);
    if (field == nullptr || !Accepts(*field, wire_type)) {
      if (!SkipUnknown(tag, p, end)) return;
      continue;
    }
    Occurrence occurrence{nullptr, 0, kNone, uint8_t(wire_type)};
    switch (wire_type) {
      case 0:
        if (!ReadVarint(p, end, &occurrence.bits)) return;
        break;
      case 1:
        if (end - p < 8) return;
        std::memcpy(&occurrence.bits, p, 8);  // little-endian hosts only (x86, arm64)
        p += 8;
        break;
      case 5: {
        if (end - p < 4) return;
        uint32_t value;
        std::memcpy(&value, p, 4);
        occurrence.bits = value;
        p += 4;
        break;
      }
      default: {
        uint32_t length;
        if (!ReadSize(p, end, &length) || length > size_t(end - p)) return;
        occurrence.data = p;
        occurrence.bits = length;
        p += length;
      }
    }
    Slot* slot = &slots_[slot_base + field->index];
    if (field->oneof >= 0) {
      // Setting another member clears the oneof: only what follows counts.
      int16_t& member = cases_[case_base + uint32_t(field->oneof)];
      if (member != int16_t(field->index)) {
        *slot = Slot{};
        member = int16_t(field->index);
      }
    }
    const uint32_t i = uint32_t(occurrences_.size());
    occurrences_.push_back(occurrence);
    if (slot->last != kNone) {
      occurrences_[slot->last].next = i;
    } else {
      slot->first = i;
    }
    slot->last = i;
  }
}

std::span<const Span> Walker::Spans(const Slot& slot) {
  const size_t base = spans_.size();
  for (uint32_t i = slot.first; i != kNone; i = occurrences_[i].next) {
    spans_.push_back({occurrences_[i].data, size_t(occurrences_[i].bits)});
  }
  return {spans_.data() + base, spans_.size() - base};
}

// Reads only `field` in the message spans_[from, from + count): pushes the
// payloads of its occurrences (a message field) as new spans, or keeps its
// last occurrence (a scalar) in *last. Occurrences before the last switch of
// its oneof to it do not count. Returns whether any counts. By index: the
// pushes may move spans_.
bool Walker::Follow(const Message& type, size_t from, size_t count, const Field& field,
                    Occurrence* last) {
  const size_t base = spans_.size();
  bool found = false;
  for (size_t k = from; k < from + count; ++k) {
    const Span span = spans_[k];
    const uint8_t* p = span.data;
    const uint8_t* const end = p + span.size;
    while (p < end) {
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return found;
      const uint32_t number = tag >> 3;
      const uint32_t wire_type = tag & 7;
      bool mine = number == field.number && Accepts(field, wire_type);
      if (!mine && field.oneof >= 0) {
        // Another member of the same oneof clears it.
        const Field* other = schema::FieldByNumber(type, number);
        if (other != nullptr && other->oneof == field.oneof && Accepts(*other, wire_type)) {
          spans_.resize(base);
          found = false;
        }
      }
      if (!mine || wire_type != 2 || field.kind != Kind::kMessage) {
        const uint8_t* value = p;
        if (!SkipUnknown(tag, p, end)) return found;
        if (mine) {
          Occurrence o{nullptr, 0, kNone, uint8_t(wire_type)};
          if (wire_type == 2) {
            uint32_t length = 0;
            ReadSize(value, end, &length);
            o.data = value;
            o.bits = length;
          } else if (wire_type == 0) {
            ReadVarint(value, end, &o.bits);
          } else {
            std::memcpy(&o.bits, value, wire_type == 1 ? 8 : 4);
          }
          *last = o;
          found = true;
        }
        continue;
      }
      uint32_t length;
      if (!ReadSize(p, end, &length) || length > size_t(end - p)) return found;
      spans_.push_back({p, length});
      p += length;
      found = true;
    }
  }
  return found;
}

Scalar Walker::Find(const Message& root, const uint8_t* data, size_t size, const Path& path) {
  const Mark mark = Save();
  spans_.push_back({data, size});
  const Scalar result = FindFrom(root, mark.spans, 1, path, 0);
  Restore(mark);
  return result;
}

Scalar Walker::FindFrom(const Message& root, size_t from, size_t count, const Path& path,
                        int step) {
  Scalar result;
  if (path.size == 0) return result;
  result.kind = path.steps[path.size - 1]->kind;
  const Message* type = &root;
  for (int i = step; i < path.size; ++i) {
    const Field& field = *path.steps[i];
    const size_t next = spans_.size();
    Occurrence last{nullptr, 0, kNone, 0};
    if (!Follow(*type, from, count, field, &last)) break;  // absent: the default
    if (field.kind == Kind::kMessage) {
      if (path.through_wrapper && i == path.size - 2) result.present = true;
      from = next;
      count = spans_.size() - next;
      type = &schema::TypeOf(field);
      continue;
    }
    if (last.wire_type == 2) {
      result.text = {reinterpret_cast<const char*>(last.data), size_t(last.bits)};
    } else {
      result.bits = last.bits;
    }
    if (!path.through_wrapper) {
      result.present = field.Is(schema::kPresence) || !IsDefault(field.kind, last);
    }
  }
  return result;
}

// The last event member set at the top, its payloads pushed as spans.
const Field* Walker::Event(const uint8_t* data, size_t size) {
  const Message& top = schema::EventsResponse();
  const size_t base = spans_.size();
  const Field* member = nullptr;
  const uint8_t* p = data;
  const uint8_t* const end = data + size;
  while (p < end) {
    uint32_t tag;
    if (!ReadTag(p, end, &tag)) break;
    const Field* field = schema::FieldByNumber(top, tag >> 3);
    if (field == nullptr || field->oneof < 0 || (tag & 7) != 2) {
      if (!SkipUnknown(tag, p, end)) break;
      continue;
    }
    uint32_t length;
    if (!ReadSize(p, end, &length) || length > size_t(end - p)) break;
    if (field != member) {  // the event oneof is the only one at the top
      spans_.resize(base);
      member = field;
    }
    spans_.push_back({p, length});
    p += length;
  }
  return member;
}

uint32_t Walker::EventKind(const uint8_t* data, size_t size) {
  const Mark mark = Save();
  const Field* member = Event(data, size);
  Restore(mark);
  return member == nullptr ? 0 : member->number;
}

bool CompilePath(const Message& root, std::string_view path, Path* out, std::string* error) {
  const auto fail = [&](const std::string& why) {
    if (error) *error = why;
    return false;
  };
  *out = Path{};
  const Message* type = &root;
  size_t from = 0;
  for (;;) {
    const size_t dot = path.find('.', from);
    const std::string_view name =
        path.substr(from, dot == std::string_view::npos ? dot : dot - from);
    const Field* field = schema::FieldByName(*type, name);
    if (field == nullptr) {
      return fail(std::string(type->full_name) + " has no field " + std::string(name));
    }
    if (field->Is(schema::kRepeated)) return fail("field " + std::string(name) + " is repeated");
    if (out->size + 2 > Path::kMaxSteps) return fail("path too long");
    out->steps[out->size++] = field;
    const bool last = dot == std::string_view::npos;
    if (field->kind != Kind::kMessage) {
      if (!last) return fail("field " + std::string(name) + " is not a message");
      return true;
    }
    type = &schema::TypeOf(*field);
    const auto wk = type->well_known;
    if (last) {
      if (wk < schema::WellKnown::kDoubleValue || wk > schema::WellKnown::kBytesValue) {
        return fail("field " + std::string(name) + " is a message, not a scalar");
      }
      out->steps[out->size++] = &type->fields[0];  // the wrapper's value
      out->through_wrapper = true;
      return true;
    }
    from = dot + 1;
  }
}

bool CompileEventPath(std::string_view path, EventPath* out, std::string* error) {
  out->by_kind.clear();
  for (const Field& event : schema::EventTypes()) {
    Path compiled;
    if (CompilePath(schema::EventsResponse(), std::string(event.name) + "." + std::string(path),
                    &compiled)) {
      out->by_kind.emplace_back(event.number, compiled);
    }
  }
  if (out->by_kind.empty() && error) *error = "no event type has a scalar at " + std::string(path);
  return !out->by_kind.empty();
}

Scalar Walker::FindInEvent(const uint8_t* data, size_t size, const EventPath& path) {
  const Mark mark = Save();
  Scalar result;
  if (const Field* event = Event(data, size)) {
    for (const auto& [number, compiled] : path.by_kind) {
      if (number != event->number) continue;
      // Step 0 (the event member) is done: its spans are all that were pushed.
      result =
          FindFrom(schema::TypeOf(*event), mark.spans, spans_.size() - mark.spans, compiled, 1);
      break;
    }
  }
  Restore(mark);
  return result;
}

Scalar FindInEvent(Walker& walker, const uint8_t* data, size_t size, const EventPath& path) {
  return walker.FindInEvent(data, size, path);
}

}  // namespace tetrars::wire

// See wire.h: Validate and ValidateEvent. Validation mirrors libprotobuf
// 3.21's generated parsers (_InternalParse, ParseContext, UnknownFieldParse)
// rule by rule; the comments name the libprotobuf behaviour each rule
// reproduces.
#include <string>

#include "base/utf8.h"
#include "decode/wire.h"

namespace tetrars::wire {
namespace {

using schema::Field;
using schema::Kind;
using schema::Message;

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

}  // namespace

bool Validate(const Message& type, const uint8_t* data, size_t size, std::string* problem) {
  Validator validator(data, problem);
  return validator.Walk(type, data, data + size, 0);
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

}  // namespace tetrars::wire

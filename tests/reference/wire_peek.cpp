#include "wire_peek.h"

#include "base/utf8.h"
#include "tetragon/events.pb.h"

namespace tetrars {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr int kMaxDepth = 100;  // protobuf's default recursion limit
constexpr uint64_t kMaxField = (1u << 29) - 1;

// Where the walk is, for the few fields the peek reads.
enum class Spot { kOther, kTop, kEvent, kProcess, kAuid };

class Walker {
 public:
  Walker(const uint8_t* begin, WirePeeker& fields) : begin_(begin), fields_(fields) {}

  bool Walk(const Descriptor* type, const uint8_t* p, const uint8_t* end, int depth, Spot spot) {
    if (depth > kMaxDepth) return Fail(p, "messages nested more than 100 deep");
    while (p < end) {
      uint64_t tag = 0;
      if (!Varint(p, end, &tag)) return Fail(p, "a field tag is cut short");
      const uint64_t number = tag >> 3;
      if (number == 0 || number > kMaxField) return Fail(p, "invalid field number");
      const WirePeeker::FieldInfo info = fields_.Field(type, number);
      const FieldDescriptor* field = info.field;
      switch (tag & 7) {
        case 0: {
          uint64_t value;
          if (!Varint(p, end, &value)) return Fail(p, "a varint is cut short");
          if (spot == Spot::kAuid && number == 1) {
            ++auid_values_;
            peek_.auid = uint32_t(value);  // protobuf keeps the low 32 bits, last one wins
          }
          break;
        }
        case 1:
        case 5: {
          const size_t width = (tag & 7) == 1 ? 8 : 4;
          if (size_t(end - p) < width) return Fail(p, "a fixed-width value is cut short");
          p += width;
          break;
        }
        case 2: {
          uint64_t length = 0;
          if (!Varint(p, end, &length)) return Fail(p, "a length is cut short");
          if (length > uint64_t(end - p)) {
            return Fail(p, "field " + Name(type, field, number) + " announces " +
                               std::to_string(length) + " bytes but " + std::to_string(end - p) +
                               " remain");
          }
          if (info.is_string && !IsValidUtf8({reinterpret_cast<const char*>(p), size_t(length)})) {
            problem_ = "field " + field->full_name() + " is not valid UTF-8";
            return false;
          }
          if (info.message != nullptr) {
            const Spot inner = Enter(spot, number, field);
            if (!Walk(info.message, p, p + length, depth + 1, inner)) return false;
          }
          p += length;
          break;
        }
        default:
          // Groups (3, 4) are legal in unknown fields for protobuf; the peek
          // does not follow them and leaves the verdict to a full parse.
          return Fail(p, "wire type " + std::to_string(tag & 7) + " of field " +
                             Name(type, field, int(number)) + " is not allowed");
      }
    }
    return true;
  }

  WirePeek Result(bool ok) {
    peek_.valid = ok;
    peek_.problem = ok ? "" : problem_;
    peek_.has_auid = auids_ > 0;  // a present auid without a value is auid 0, as parsed
    // The peek follows the auid of exec and exit events only.
    const bool followed = peek_.kind == tetragon::GetEventsResponse::kProcessExecFieldNumber ||
                          peek_.kind == tetragon::GetEventsResponse::kProcessExitFieldNumber;
    peek_.simple =
        ok && events_ == 1 && followed && processes_ <= 1 && auids_ <= 1 && auid_values_ <= 1;
    return peek_;
  }

 private:
  // `field` is the (message) field being entered, already looked up.
  Spot Enter(Spot spot, uint64_t number, const FieldDescriptor* field) {
    switch (spot) {
      case Spot::kTop: {
        // Every member of the event oneof counts: the last one set wins.
        if (field->containing_oneof() == nullptr) return Spot::kOther;
        ++events_;
        peek_.kind = int(number);
        return number == tetragon::GetEventsResponse::kProcessExecFieldNumber ||
                       number == tetragon::GetEventsResponse::kProcessExitFieldNumber
                   ? Spot::kEvent
                   : Spot::kOther;
      }
      case Spot::kEvent:
        if (number == 1) {  // process, in both ProcessExec and ProcessExit
          ++processes_;
          return Spot::kProcess;
        }
        return Spot::kOther;
      case Spot::kProcess:
        if (number == tetragon::Process::kAuidFieldNumber) {
          ++auids_;
          return Spot::kAuid;
        }
        return Spot::kOther;
      default:
        return Spot::kOther;
    }
  }

  static bool Varint(const uint8_t*& p, const uint8_t* end, uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 70 && p < end; shift += 7) {
      const uint8_t b = *p++;
      if (shift < 64) *value |= uint64_t(b & 0x7f) << shift;
      if (b < 0x80) return true;
    }
    return false;
  }
  static std::string Name(const Descriptor* type, const FieldDescriptor* field, uint64_t number) {
    return field != nullptr ? field->full_name() : type->full_name() + "#" + std::to_string(number);
  }
  bool Fail(const uint8_t* p, const std::string& what) {
    problem_ = what + " at byte " + std::to_string(p - begin_);
    return false;
  }

  const uint8_t* begin_;
  WirePeeker& fields_;
  WirePeek peek_;
  std::string problem_;
  int events_ = 0;
  int processes_ = 0;
  int auids_ = 0;
  int auid_values_ = 0;
};

}  // namespace

WirePeeker::FieldInfo WirePeeker::Describe(const FieldDescriptor* field) {
  FieldInfo info;
  info.field = field;
  if (field != nullptr) {
    info.is_string = field->type() == FieldDescriptor::TYPE_STRING;
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) info.message = field->message_type();
  }
  return info;
}

WirePeeker::FieldInfo WirePeeker::Field(const Descriptor* type, uint64_t number) {
  if (number >= kTableSize) {
    // Large numbers (time = 1001 in every event) are kept too, but only those
    // of real fields: unknown numbers from the agent must not grow the cache.
    const auto key = std::make_pair(type, number);
    if (auto it = large_.find(key); it != large_.end()) return it->second;
    const FieldInfo info = Describe(type->FindFieldByNumber(int(number)));
    if (info.field != nullptr) large_.emplace(key, info);
    return info;
  }
  auto [it, added] = tables_.try_emplace(type);
  if (added) {
    it->second.assign(kTableSize, FieldInfo{});
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (uint64_t(field->number()) < kTableSize) it->second[field->number()] = Describe(field);
    }
  }
  return it->second[number];
}

WirePeek WirePeeker::Peek(const uint8_t* data, size_t size) {
  Walker walker(data, *this);
  const bool ok =
      walker.Walk(tetragon::GetEventsResponse::descriptor(), data, data + size, 0, Spot::kTop);
  return walker.Result(ok);
}

WirePeek PeekEvent(const uint8_t* data, size_t size) {
  WirePeeker peeker;
  return peeker.Peek(data, size);
}

}  // namespace tetrars

#include "decode.h"

#include <limits>

#include "utf8.h"

namespace tetrars {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// A wire-format walk along our descriptors, to say what protobuf's parser
// refused without relying on its log output.
class WireWalker {
 public:
  explicit WireWalker(const uint8_t* begin) : begin_(begin) {}

  std::string Walk(const Descriptor* type, const uint8_t* p, const uint8_t* end, int depth) {
    if (depth > 100) return "messages nested more than 100 deep";
    while (p < end) {
      uint64_t tag = 0;
      if (!Varint(p, end, &tag)) return At(p, "a field tag is cut short");
      const int number = int(tag >> 3);
      const FieldDescriptor* field = type->FindFieldByNumber(number);
      if (number == 0) return At(p, "field number 0");
      switch (tag & 7) {
        case 0: {
          uint64_t ignored;
          if (!Varint(p, end, &ignored)) return At(p, "a varint is cut short");
          break;
        }
        case 1:
        case 5: {
          const size_t width = (tag & 7) == 1 ? 8 : 4;
          if (size_t(end - p) < width) return At(p, "a fixed-width value is cut short");
          p += width;
          break;
        }
        case 2: {
          uint64_t length = 0;
          if (!Varint(p, end, &length)) return At(p, "a length is cut short");
          if (length > uint64_t(end - p)) {
            return At(p, "field " + Name(type, field, number) + " announces " +
                             std::to_string(length) + " bytes but " + std::to_string(end - p) +
                             " remain");
          }
          if (field != nullptr && field->type() == FieldDescriptor::TYPE_STRING &&
              !IsValidUtf8({reinterpret_cast<const char*>(p), size_t(length)})) {
            return "field " + field->full_name() + " is not valid UTF-8";
          }
          if (field != nullptr && field->type() == FieldDescriptor::TYPE_MESSAGE) {
            std::string problem = Walk(field->message_type(), p, p + length, depth + 1);
            if (!problem.empty()) return problem;
          }
          p += length;
          break;
        }
        default:
          return At(p, "wire type " + std::to_string(tag & 7) + " of field " +
                           Name(type, field, number) + " is not allowed");
      }
    }
    return "";
  }

 private:
  static bool Varint(const uint8_t*& p, const uint8_t* end, uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      const uint8_t b = *p++;
      *value |= uint64_t(b & 0x7f) << shift;
      if (b < 0x80) return true;
    }
    return false;
  }
  static std::string Name(const Descriptor* type, const FieldDescriptor* field, int number) {
    return field != nullptr ? field->full_name() : type->full_name() + "#" + std::to_string(number);
  }
  std::string At(const uint8_t* p, const std::string& what) const {
    return what + " at byte " + std::to_string(p - begin_);
  }

  const uint8_t* begin_;
};

}  // namespace

std::string Decoder::Explain(const uint8_t* data, size_t size) {
  WireWalker walker(data);
  std::string problem =
      walker.Walk(tetragon::GetEventsResponse::descriptor(), data, data + size, 0);
  return problem.empty() ? "protobuf refused it" : problem;
}

Decoder::Result Decoder::Decode(const uint8_t* data, size_t size) {
  event_.Clear();
  if (size > size_t(std::numeric_limits<int>::max()) || !event_.ParseFromArray(data, int(size))) {
    return Result::kMalformed;
  }
  if (event_.event_case() == tetragon::GetEventsResponse::EVENT_NOT_SET) return Result::kUnmodelled;
  return Result::kEvent;
}

}  // namespace tetrars

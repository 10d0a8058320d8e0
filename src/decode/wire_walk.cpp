// See wire.h: the walker over validated bytes (the per-field index with
// protobuf's merge rules, Find, FindInEvent), field paths, and scalars as
// protobuf reads them.
#include <bit>
#include <cstring>

#include "decode/wire.h"

namespace tetrars::wire {
namespace {

using schema::Field;
using schema::Kind;
using schema::Message;

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

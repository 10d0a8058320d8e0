// See field_mask.h. The masks are compiled once (Add); Apply walks only the
// fields a mask has a submask for and copies the rest occurrence by occurrence.
#include "decode/field_mask.h"

#include <charconv>
#include <cstring>

#include "decode/wire_writer.h"

namespace tetrars {
namespace {

using schema::Field;
using schema::Kind;
using wire::Occurrence;
using wire::Slot;
using wire::Span;

// One occurrence, re-encoded with the same value (and wire type: a packed run
// stays packed).
void Write(uint32_t number, const Occurrence& o, std::string& out) {
  AppendVarint((uint64_t(number) << 3) | o.wire_type, out);
  switch (o.wire_type) {
    case 0:
      AppendVarint(o.bits, out);
      break;
    case 1:
    case 5: {
      char bytes[8];
      std::memcpy(bytes, &o.bits, 8);  // little-endian hosts, as wire_walk.cpp
      out.append(bytes, o.wire_type == 1 ? 8 : 4);
      break;
    }
    default:
      AppendVarint(o.bits, out);
      out.append(reinterpret_cast<const char*>(o.data), size_t(o.bits));
  }
}

// A field kept whole: a scalar's last occurrence (the one that counts), every
// occurrence of a list, a map or a message (whose occurrences merge).
void Copy(const wire::Walker& walker, const Field& field, const Slot& slot, std::string& out) {
  if (!field.Is(schema::kRepeated) && field.kind != Kind::kMessage) {
    Write(field.number, walker.occurrence(slot.last), out);
    return;
  }
  for (uint32_t i = slot.first; i != wire::kNone; i = walker.occurrence(i).next) {
    Write(field.number, walker.occurrence(i), out);
  }
}

// A length-delimited field's header, its length a one-byte placeholder that
// FinishLength fixes once the content is written (most are below 128 bytes).
size_t StartLength(uint32_t number, std::string& out) {
  AppendVarint((uint64_t(number) << 3) | 2, out);
  out += '\0';
  return out.size() - 1;
}
void FinishLength(size_t at, std::string& out) {
  const uint64_t length = out.size() - at - 1;
  if (length < 0x80) {
    out[at] = char(length);
    return;
  }
  std::string varint;  // at most 10 bytes: in the string's own buffer, no allocation
  AppendVarint(length, varint);
  out.insert(at + 1, varint.size() - 1, '\0');
  std::memcpy(&out[at], varint.data(), varint.size());
}

// A map key as fmutils matches it (Go's MapKey.String()): the text of a
// string key, the decimal number of an integer, "true"/"false". A missing key
// is the default. Our schema's maps all have string keys.
std::string_view KeyText(Kind kind, const Occurrence* key, char (&buffer)[24]) {
  const uint64_t bits = key != nullptr ? key->bits : 0;
  switch (kind) {
    case Kind::kString:
    case Kind::kBytes:
      return key != nullptr ? std::string_view(reinterpret_cast<const char*>(key->data), bits)
                            : std::string_view();
    case Kind::kBool:
      return bits != 0 ? "true" : "false";
    case Kind::kUint32:
    case Kind::kUint64:
    case Kind::kFixed32:
    case Kind::kFixed64: {
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, wire::AsUint64(kind, bits));
      return {buffer, size_t(end.ptr - buffer)};
    }
    default: {
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, wire::AsInt64(kind, bits));
      return {buffer, size_t(end.ptr - buffer)};
    }
  }
}

}  // namespace

// fmutils' NestedMask before it meets a type: names only.
struct FieldMasks::Names {
  std::string name;
  std::vector<Names> children;

  Names* Child(std::string_view child) {
    for (Names& n : children) {
      if (n.name == child) return &n;
    }
    children.push_back({std::string(child), {}});
    return &children.back();
  }
};

void FieldMasks::Add(const std::vector<std::string>& paths, bool exclude) {
  // NestedMaskFromPaths: every non-empty segment gets or makes its entry, so
  // an existing entry keeps its children whatever the order of the paths.
  // A segment deeper than valid bytes nest (wire::kMaxDepth below the
  // response) can never meet a field: cut there, so that no path, however
  // long, makes a tree deep enough to exhaust the stack.
  constexpr int kMaxSegments = wire::kMaxDepth + 2;
  Names root;
  for (const std::string& path : paths) {
    Names* at = &root;
    int depth = 0;
    size_t begin = 0;
    while (begin <= path.size() && depth < kMaxSegments) {
      size_t end = path.find('.', begin);
      if (end == std::string::npos) end = path.size();
      if (end > begin) {
        at = at->Child(std::string_view(path).substr(begin, end - begin));
        ++depth;
      }
      begin = end + 1;
    }
  }
  if (root.children.empty()) return;  // an empty mask: the agent changes nothing
  const schema::Message& response = schema::EventsResponse();
  Filter filter{exclude, std::vector<int32_t>(response.fields.size(), -1)};
  // fields.go filters whichever member of a oneof of the response is set.
  for (const Field& field : response.fields) {
    if (field.oneof >= 0 && field.kind == Kind::kMessage) {
      filter.roots[field.index] = Compile(schema::TypeOf(field), root);
    }
  }
  filters_.push_back(std::move(filter));
}

int32_t FieldMasks::Compile(const schema::Message& declared, const Names& names) {
  const schema::Message& type = Read(declared);
  const auto id = int32_t(nodes_.size());
  nodes_.emplace_back();
  nodes_.back().fields.resize(type.fields.size());
  for (const Names& child : names.children) {
    const Field* field = schema::FieldByName(type, child.name);
    if (field == nullptr) continue;  // not of this type: never matched
    Entry entry;
    if (child.children.empty()) {
      entry.action = Action::kWhole;
    } else if (field->Is(schema::kMap)) {
      entry = {Action::kMap, CompileKeys(*field, child)};
    } else if (field->kind == Kind::kMessage) {
      entry = {Action::kMessage, Compile(schema::TypeOf(*field), child)};
    } else {
      entry.action = Action::kScalar;
    }
    nodes_[size_t(id)].fields[field->index] = entry;  // nodes_ may have grown
  }
  return id;
}

int32_t FieldMasks::CompileKeys(const Field& map, const Names& names) {
  const auto id = int32_t(nodes_.size());
  nodes_.emplace_back();
  const Field* value = schema::FieldByNumber(schema::TypeOf(map), 2);
  for (const Names& key : names.children) {
    const bool recurse = value->kind == Kind::kMessage && !key.children.empty();
    const int32_t node = recurse ? Compile(schema::TypeOf(*value), key) : -1;
    nodes_[size_t(id)].keys.push_back({key.name, node});
  }
  return id;
}

void FieldMasks::Apply(const uint8_t* data, size_t size, wire::Walker& walker, std::string& out) {
  walker_ = &walker;
  if (filters_.empty()) {
    out.assign(reinterpret_cast<const char*>(data), size);
    return;
  }
  // Each filter reads what the one before wrote, as the agent applies them in
  // turn to the same message; the last writes `out`.
  for (size_t i = 0; i < filters_.size(); ++i) {
    std::string& to = i + 1 == filters_.size() ? out : buffers_[i % 2];
    Pass(filters_[i], data, size, to);
    data = reinterpret_cast<const uint8_t*>(to.data());
    size = to.size();
  }
}

void FieldMasks::Pass(const Filter& filter, const uint8_t* data, size_t size, std::string& out) {
  wire::Walker& walker = *walker_;
  exclude_ = filter.exclude;
  out.clear();
  const schema::Message& type = schema::EventsResponse();
  const wire::Walker::Mark arena = walker.Save();
  const Span top{data, size};
  const wire::Walker::Index index = walker.Build(type, std::span<const Span>(&top, 1));
  for (const Field& field : type.fields) {
    if (!walker.Selected(index, field)) continue;
    const Slot slot = walker.slot(index, field);  // a copy: nested Builds grow the arena
    if (slot.first == wire::kNone) continue;
    if (const int32_t root = filter.roots[field.index]; root >= 0) {
      Masked(field, walker.Spans(slot), root, out);
    } else {
      Copy(walker, field, slot, out);
    }
  }
  walker.Restore(arena);
}

// The message field `field` made of `spans`, masked by `node`: written once,
// present even when the mask leaves it empty (as the agent's is).
void FieldMasks::Masked(const Field& field, std::span<const Span> spans, int32_t node,
                        std::string& out) {
  const size_t at = StartLength(field.number, out);
  Body(Read(schema::TypeOf(field)), spans, node, out);
  FinishLength(at, out);
}

void FieldMasks::Body(const schema::Message& type, std::span<const Span> spans, int32_t node,
                      std::string& out) {
  wire::Walker& walker = *walker_;
  const wire::Walker::Mark arena = walker.Save();
  const wire::Walker::Index index = walker.Build(type, spans);  // `spans` is not read again
  for (const Field& field : type.fields) {
    if (!walker.Selected(index, field)) continue;  // only a oneof's set member is set
    const Slot slot = walker.slot(index, field);
    if (slot.first == wire::kNone) continue;
    const Entry entry = nodes_[size_t(node)].fields[field.index];
    switch (entry.action) {
      case Action::kNone:  // Filter clears it, Prune keeps it
        if (exclude_) Copy(walker, field, slot, out);
        break;
      case Action::kWhole:  // Filter keeps it, Prune clears it
        if (!exclude_) Copy(walker, field, slot, out);
        break;
      case Action::kScalar:
        Copy(walker, field, slot, out);
        break;
      case Action::kMessage:
        if (field.Is(schema::kRepeated)) {  // each element on its own
          for (uint32_t i = slot.first; i != wire::kNone;) {
            const Occurrence o = walker.occurrence(i);
            const Span element{o.data, size_t(o.bits)};
            Masked(field, std::span<const Span>(&element, 1), entry.node, out);
            i = o.next;
          }
        } else {
          Masked(field, walker.Spans(slot), entry.node, out);
        }
        break;
      case Action::kMap:
        for (uint32_t i = slot.first; i != wire::kNone;) {
          const Occurrence o = walker.occurrence(i);
          MapEntry(field, o, entry.node, out);
          i = o.next;
        }
        break;
    }
  }
  walker.Restore(arena);
}

// One entry of a map with a submask (`node`). Duplicate keys need nothing
// special: each entry is kept, dropped or rewritten by its own key, so the
// last of equal keys still wins when the output is parsed.
void FieldMasks::MapEntry(const Field& field, const Occurrence& entry, int32_t node,
                          std::string& out) {
  wire::Walker& walker = *walker_;
  const schema::Message& type = schema::TypeOf(field);
  const Field& key_field = *schema::FieldByNumber(type, 1);
  const Field& value_field = *schema::FieldByNumber(type, 2);
  const wire::Walker::Mark arena = walker.Save();
  const Span span{entry.data, size_t(entry.bits)};
  const wire::Walker::Index index = walker.Build(type, std::span<const Span>(&span, 1));
  const Slot key = walker.slot(index, key_field);
  const Occurrence* key_last = key.last != wire::kNone ? &walker.occurrence(key.last) : nullptr;
  char buffer[24];
  const std::string_view text = KeyText(key_field.kind, key_last, buffer);
  const Key* match = nullptr;
  for (const Key& k : nodes_[size_t(node)].keys) {
    if (k.text == text) {
      match = &k;
      break;
    }
  }
  if (match != nullptr && match->node >= 0) {
    // A message value with a submask: filtered or pruned, the entry kept.
    const size_t at = StartLength(field.number, out);
    if (key_last != nullptr) Write(key_field.number, *key_last, out);
    const Slot value = walker.slot(index, value_field);
    if (value.first != wire::kNone) Masked(value_field, walker.Spans(value), match->node, out);
    FinishLength(at, out);
  } else if ((match != nullptr) != exclude_) {
    Write(field.number, entry, out);  // Filter keeps a named key, Prune an unnamed one
  }
  walker.Restore(arena);
}

}  // namespace tetrars

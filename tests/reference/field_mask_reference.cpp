// See field_mask_reference.h: fmutils v0.2.0 NestedMask over libprotobuf
// reflection.
#include "field_mask_reference.h"

#include <google/protobuf/descriptor.h>

#include <map>

namespace reference {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct Mask {
  std::map<std::string, Mask> children;
};

// NestedMaskFromPaths: empty segments skipped, an existing entry kept.
Mask FromPaths(const std::vector<std::string>& paths) {
  Mask mask;
  for (const std::string& path : paths) {
    Mask* at = &mask;
    std::string letters;
    for (const char c : path + '.') {
      if (c != '.') {
        letters += c;
      } else if (!letters.empty()) {
        at = &at->children[letters];  // finds or adds
        letters.clear();
      }
    }
  }
  return mask;
}

// Go's MapKey.String() of an entry's key.
std::string KeyString(const Message& entry) {
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  const Reflection* r = entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(entry, key);
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(entry, key) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(r->GetInt32(entry, key));
    case FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(r->GetInt64(entry, key));
    case FieldDescriptor::CPPTYPE_UINT32:
      return std::to_string(r->GetUInt32(entry, key));
    default:
      return std::to_string(r->GetUInt64(entry, key));
  }
}

void Mutate(Message& message, const Mask& mask, bool prune);

// A map with a submask: entries by key, as NestedMask.Filter / Prune do.
void MutateMap(Message& message, const FieldDescriptor* field, const Mask& keys, bool prune) {
  const Reflection* r = message.GetReflection();
  for (int i = r->FieldSize(message, field) - 1; i >= 0; --i) {
    Message& entry = *r->MutableRepeatedMessage(&message, field, i);
    const auto named = keys.children.find(KeyString(entry));
    const FieldDescriptor* value = entry.GetDescriptor()->map_value();
    if (named != keys.children.end() && value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !named->second.children.empty()) {
      Mutate(*entry.GetReflection()->MutableMessage(&entry, value), named->second, prune);
    } else if ((named != keys.children.end()) == prune) {
      // Deleted in place: the later entries keep their order.
      for (int j = i; j + 1 < r->FieldSize(message, field); ++j)
        r->SwapElements(&message, field, j, j + 1);
      r->RemoveLast(&message, field);
    }
  }
}

// NestedMask.Filter (prune false) and NestedMask.Prune (prune true).
void Mutate(Message& message, const Mask& mask, bool prune) {
  if (mask.children.empty()) return;
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> set;
  r->ListFields(message, &set);  // Go's Range: the set fields only
  for (const FieldDescriptor* field : set) {
    const auto it = mask.children.find(field->name());
    if (it == mask.children.end()) {
      if (!prune) r->ClearField(&message, field);
      continue;
    }
    const Mask& sub = it->second;
    if (sub.children.empty()) {
      if (prune) r->ClearField(&message, field);
    } else if (field->is_map()) {
      MutateMap(message, field, sub, prune);
    } else if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      // A scalar keeps its value; for a list of scalars fmutils would panic
      // (the agent crashes): tetrars keeps it, as a scalar.
    } else if (field->is_repeated()) {
      for (int i = 0; i < r->FieldSize(message, field); ++i) {
        Mutate(*r->MutableRepeatedMessage(&message, field, i), sub, prune);
      }
    } else {
      Mutate(*r->MutableMessage(&message, field), sub, prune);
    }
  }
}

}  // namespace

// fields.go's FieldFilter.Filter for each filter in turn: the set member of
// the response's oneof only.
void ApplyFieldMasks(Message& response, const FieldMaskSpecs& specs) {
  for (const FieldMaskSpec& spec : specs) {
    const Mask mask = FromPaths(spec.paths);
    const Reflection* r = response.GetReflection();
    std::vector<const FieldDescriptor*> set;
    r->ListFields(response, &set);
    for (const FieldDescriptor* field : set) {
      if (field->containing_oneof() == nullptr) continue;
      Mutate(*r->MutableMessage(&response, field), mask, spec.exclude);
    }
  }
}

std::string DescribeFieldMasks(const FieldMaskSpecs& specs) {
  std::string text;
  for (const FieldMaskSpec& spec : specs) {
    text += spec.exclude ? " EXCLUDE[" : " INCLUDE[";
    for (const std::string& path : spec.paths) text += path + ",";
    text += "]";
  }
  return text;
}

}  // namespace reference

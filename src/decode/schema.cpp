// Lookups over the generated tables (schema.h). Start-up and error paths use
// these; the hot path indexes the tables directly.
#include "decode/schema.h"

#include <algorithm>

namespace tetrars::schema {
namespace {

template <typename T>
const T* FindByName(std::span<const T> sorted, std::string_view full_name) {
  auto it =
      std::lower_bound(sorted.begin(), sorted.end(), full_name,
                       [](const T& item, std::string_view name) { return item.full_name < name; });
  return it != sorted.end() && it->full_name == full_name ? &*it : nullptr;
}

const Oneof& EventOneof() {
  static const Oneof* oneof = [] {
    for (const Oneof& o : EventsResponse().oneofs) {
      if (o.name == "event") return &o;
    }
    return static_cast<const Oneof*>(nullptr);
  }();
  return *oneof;
}

}  // namespace

const Message* FindMessage(std::string_view full_name) {
  return FindByName(kSchema.messages, full_name);
}

const Enum* FindEnum(std::string_view full_name) {
  return FindByName(kSchema.enums, full_name);
}

const Field* FieldByName(const Message& message, std::string_view name) {
  for (const Field& field : message.fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

std::string_view EnumName(const Enum& e, int32_t number) {
  auto it = std::lower_bound(e.values.begin(), e.values.end(), number,
                             [](const EnumValue& v, int32_t n) { return v.number < n; });
  return it != e.values.end() && it->number == number ? it->name : std::string_view();
}

const Message& EventsResponse() {
  // The schema is ours: its absence is a build error, caught by the tests.
  static const Message* message = FindMessage("tetragon.GetEventsResponse");
  return *message;
}

std::span<const Field> EventTypes() {
  const Oneof& oneof = EventOneof();
  return EventsResponse().fields.subspan(oneof.first, oneof.count);
}

const Field* EventType(uint32_t number) {
  const Field* field = FieldByNumber(EventsResponse(), number);
  return field != nullptr && field->oneof >= 0 &&
                 &EventsResponse().oneofs[size_t(field->oneof)] == &EventOneof()
             ? field
             : nullptr;
}

}  // namespace tetrars::schema

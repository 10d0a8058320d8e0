#include "decode/event_types.h"

#include "decode/schema.h"

namespace tetrars {

const std::vector<EventKind>& SupportedEventTypes() {
  static const std::vector<EventKind> types = [] {
    std::vector<EventKind> all;
    for (const schema::Field& member : schema::EventTypes()) all.push_back(member.number);
    return all;
  }();
  return types;
}

std::string EventTypeName(EventKind kind) {
  static const schema::Enum* names = schema::FindEnum("tetragon.EventType");
  const std::string_view name =
      names != nullptr ? schema::EnumName(*names, int32_t(kind)) : std::string_view();
  return name.empty() ? std::to_string(kind) : std::string(name);
}

std::optional<EventKind> ParseEventType(std::string_view name) {
  static const schema::Enum* names = schema::FindEnum("tetragon.EventType");
  if (names == nullptr) return std::nullopt;
  for (const schema::EnumValue& value : names->values) {
    if (value.name == name && value.number > 0 && IsSupportedEventType(EventKind(value.number))) {
      return EventKind(value.number);
    }
  }
  return std::nullopt;
}

bool IsSupportedEventType(EventKind kind) {
  return schema::EventType(kind) != nullptr;
}

}  // namespace tetrars

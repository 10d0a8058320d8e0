// The event types tetrars knows, from the schema tables (schema.h): the
// members of GetEventsResponse's `event` oneof. Their field numbers are the
// EventType numbers (process_exec = 1 = PROCESS_EXEC ...), and their names
// are the EventType enum's. No libprotobuf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tetrars {

// An EventType number (= the event's field number in GetEventsResponse).
using EventKind = uint32_t;

// Every type the schema models, in declaration order.
const std::vector<EventKind>& SupportedEventTypes();
// "PROCESS_EXEC", or the number as text for a type the schema does not name.
std::string EventTypeName(EventKind kind);
// The type named `name` (upper case, as tetra spells them), if the schema
// models it; UNDEF and unknown names: nothing.
std::optional<EventKind> ParseEventType(std::string_view name);
// Whether the schema models `kind` (has an event member with that number).
bool IsSupportedEventType(EventKind kind);

}  // namespace tetrars

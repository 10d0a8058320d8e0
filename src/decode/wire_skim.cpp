// See wire.h: EventSkimmer, the kind and process.auid of an event read
// without validating it.
#include "decode/wire.h"

namespace tetrars::wire {

using schema::Field;
using schema::Kind;

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

}  // namespace tetrars::wire

#include "filter/event_filter.h"

#include <algorithm>

namespace tetrars {

EventFilter::EventFilter(std::vector<EventKind> types, AuidFilter auid, AuidOf auid_of)
    : types_(std::move(types)), auid_(std::move(auid)), auid_of_(auid_of) {}

Verdict EventFilter::CheckAuidAt(const Event& event, wire::Walker& walker,
                                 const wire::EventPath& path) const {
  if (!auid_.enabled()) return CheckFacts(int(event.kind), false, 0);
  if (event.simple && &path == &EventFields::Get().process_auid) {
    return CheckFacts(int(event.kind), event.has_auid, event.auid);
  }
  const wire::Scalar auid = Read(walker, event, path);
  return CheckFacts(int(event.kind), auid.present, auid.present ? U32(auid) : 0);
}

Verdict EventFilter::Check(const Event& event, wire::Walker& walker) const {
  const EventFields& fields = EventFields::Get();
  switch (auid_of_) {
    case AuidOf::kProcess:
      return CheckAuidAt(event, walker, fields.process_auid);
    case AuidOf::kParent:
      return CheckAuidAt(event, walker, fields.parent_auid);
    case AuidOf::kEither: {
      const Verdict process = CheckAuidAt(event, walker, fields.process_auid);
      if (process == Verdict::kPrint || process == Verdict::kOtherType) return process;
      const Verdict parent = CheckAuidAt(event, walker, fields.parent_auid);
      if (parent == Verdict::kPrint) return parent;
      // Rejected when either had an auid that the rule rejected.
      return process == Verdict::kNoAuid ? parent : process;
    }
  }
  return Verdict::kOtherType;
}

Verdict EventFilter::CheckFacts(int kind, bool has_auid, uint32_t auid) const {
  if (std::find(types_.begin(), types_.end(), EventKind(kind)) == types_.end()) {
    return Verdict::kOtherType;
  }
  if (!auid_.enabled()) return Verdict::kPrint;
  if (!has_auid) return Verdict::kNoAuid;
  return auid_.Matches(auid) ? Verdict::kPrint : Verdict::kAuidRejected;
}

}  // namespace tetrars

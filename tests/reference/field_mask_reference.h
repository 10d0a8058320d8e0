// The test oracle for src/decode/field_mask.h (an old agent's field filter applied
// by tetrars): github.com/mennanov/fmutils v0.2.0's NestedMask
// (NestedMaskFromPaths, Filter, Prune) and Tetragon v0.10.0's
// pkg/filters/fields.go written again over libprotobuf reflection, on a parsed
// message. It shares no code with tetrars::FieldMasks (which walks wire
// bytes): tests/field_mask_test.cpp and fuzz/field_mask_fuzzer.cpp check
// that the two agree. Moved here from field_mask_test.cpp unchanged.
//
// What it does, as fmutils and fields.go do:
//   - each filter in turn applies to the set member of the response's oneof
//     only, never to the response's own fields;
//   - NestedMaskFromPaths: paths split at '.', empty segments skipped, an
//     existing entry kept (so "process" + "process.pid" is {process:{pid}});
//   - an empty mask changes nothing; Filter clears each set field not in the
//     mask, Prune each in it with no submask; a submask recurses into a
//     message (each element of a list), selects a map's entries by key (Go's
//     MapKey.String()), and leaves a scalar as it is (for a list of scalars
//     fmutils would panic: kept, as tetrars keeps it).
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <vector>

namespace reference {

// One GetEventsRequest.field_filters entry with an empty event_set: its
// fields.paths and its action (EXCLUDE: Prune; INCLUDE: Filter).
struct FieldMaskSpec {
  std::vector<std::string> paths;
  bool exclude = false;
};
using FieldMaskSpecs = std::vector<FieldMaskSpec>;

// fields.go's FieldFilter.Filter for each spec in turn, in place, on a
// GetEventsResponse (any message with a oneof of message members).
void ApplyFieldMasks(google::protobuf::Message& response, const FieldMaskSpecs& specs);

// " INCLUDE[a,b,] EXCLUDE[c,]": for failure messages.
std::string DescribeFieldMasks(const FieldMaskSpecs& specs);

}  // namespace reference

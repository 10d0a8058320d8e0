// The REFERENCE JSON writer (tests, fuzzers, fake agent): protobuf message ->
// one JSON object through libprotobuf's reflection. tetrars itself prints with
// src/encode/wire_json.h; tests prove the two equal byte for byte.
//
// Contract: prints exactly what Go's protojson prints with UseProtoNames and
// compact output (which is what `tetra getevents -o json` uses), by walking the
// message's descriptors — there is no per-field code:
//   - proto field names, declaration order; proto3 scalars at their default
//     value are omitted, fields with presence (messages, wrappers, oneofs) are
//     printed when set;
//   - 64-bit integers as strings, enums by name (an unknown number as a number),
//     bytes as standard base64, map keys sorted;
//   - well-known types: wrappers as bare values, Timestamp as RFC 3339 UTC with
//     0, 3, 6 or 9 fraction digits, Duration as "1.5s", FieldMask as a string;
//   - strings escape only '"', '\' and U+0000..U+001F (as Go does); any invalid
//     UTF-8 is replaced by U+FFFD so the output is always valid UTF-8 JSON.
// AppendJson appends to `out` and returns true, or leaves `out` unchanged and
// returns false with a reason in `error` when protojson itself would refuse the
// message (a Timestamp or Duration out of range, an unsupported Any/Struct).
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "encode/json_string.h"

namespace tetrars {

bool AppendJson(const google::protobuf::Message& message, std::string& out,
                std::string* error = nullptr);

}  // namespace tetrars

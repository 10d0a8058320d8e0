// JSON spellings of protobuf scalars and well-known types, as Go's protojson
// prints them, for the writers over wire bytes (wire_json.h, compact_writer.h).
//
// Contract: each Append* appends to `out`; the Timestamp and Duration ones
// append nothing and return false with protojson's reason when it refuses
// the value (out of range). String escaping is AppendJsonString
// (json_string.h). The reflection writer of tests/reference/json_writer.cpp
// keeps its own copies on purpose: it is the independent oracle that the
// differential tests (tests/wire_json_test.cpp) hold these to, byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tetrars::json_format {

void AppendInt32(int32_t value, std::string& out);
void AppendUint32(uint32_t value, std::string& out);
void AppendQuotedInt64(int64_t value, std::string& out);  // 64-bit integers are strings
void AppendQuotedUint64(uint64_t value, std::string& out);
void AppendDouble(double value, std::string& out);            // Go's float style, "NaN", "Infinity"
void AppendFloat(float value, std::string& out);              // shortest digits of the float itself
void AppendBase64(std::string_view bytes, std::string& out);  // standard, padded, quoted

// "1970-01-01T00:00:00.5Z", or false with "timestamp out of range (...)".
bool AppendTimestamp(int64_t seconds, int32_t nanos, std::string& out, std::string* error);
// "1.5s", or false with "duration out of range (...)".
bool AppendDuration(int64_t seconds, int32_t nanos, std::string& out, std::string* error);
// FieldMask path "process_exec.process" -> "processExec.process", appended.
void AppendLowerCamel(std::string_view snake, std::string& out);

}  // namespace tetrars::json_format

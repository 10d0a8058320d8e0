// JSON spellings of protobuf scalars and well-known types, as Go's protojson
// (and src/json_writer.cpp) print them, for writers that have no Message.
//
// Contract: each Append* appends to `out`; the Timestamp and Duration ones
// append nothing and return false with json_writer.cpp's exact reason when
// protojson refuses the value (out of range). String escaping is
// AppendJsonString (json_writer.h).
//
// These are copies of json_writer.cpp's private helpers, kept byte-for-byte
// equal by the differential tests (tests/wire_json_test.cpp); json_writer.cpp
// was left untouched while another change is in flight. Integration should
// make json_writer.cpp call these (and move AppendJsonString here) so one copy
// remains.
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

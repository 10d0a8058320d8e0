// Just enough JSON reading for the agent's info file
// (/var/run/tetragon/tetragon-info.json: {"server_address": "...", ...}):
// strict RFC 8259 syntax, nesting at most 64 deep, and one top-level string
// member read out. No libprotobuf, no allocation beyond the answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tetrars {

// The value of the string member `key` of the JSON object `text`, unescaped;
// nothing when the member is absent or not a string. `valid` says whether
// `text` is one well-formed JSON object at all.
std::optional<std::string> JsonObjectString(std::string_view text, std::string_view key,
                                            bool* valid);

}  // namespace tetrars

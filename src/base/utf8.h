// UTF-8 validity as Go's unicode/utf8 (and protobuf) define it: no overlong
// forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <string_view>

namespace tetrars {

// Length of the valid sequence starting at text[i] (a byte >= 0x80), or 0.
size_t ValidUtf8Length(std::string_view text, size_t i);

bool IsValidUtf8(std::string_view text);

}  // namespace tetrars

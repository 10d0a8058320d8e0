// Untrusted text (an event's values, the agent's words) made safe for one
// line of plain text: control characters (C0, DEL, C1), U+2028/U+2029,
// backslashes and bytes that are not UTF-8 are escaped (\n, \r, \t, \\,
// \x1b, \u0085), so the text can neither end the line nor send a terminal
// escape. -o compact's lines and the diagnostics' Quoted() share it.
#pragma once

#include <string>
#include <string_view>

namespace tetrars {

// `text` with the escapes above, appended to `out`.
void AppendEscapedText(std::string_view text, std::string& out);

}  // namespace tetrars

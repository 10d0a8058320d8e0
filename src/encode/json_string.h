// JSON string literals as Go's protojson writes them: escape only '"', '\\'
// and U+0000..U+001F (\b \f \n \r \t, else \u00XX), every other character as
// it is; any invalid UTF-8 becomes U+FFFD, so the output is always valid
// UTF-8 JSON. Shared by the wire JSON writer, the line limit and the
// annotations.
#pragma once

#include <string>
#include <string_view>

namespace tetrars {

// Appends a JSON string literal (with its quotes) for `text`.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace tetrars

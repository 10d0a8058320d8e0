// Events for the fake agent to replay, as serialized GetEventsResponse bytes.
//   *.wire.b64     one base64 line per event: those exact bytes are streamed.
//   *.tetra.jsonl  one tetra JSON line per event, read with protobuf's own JSON
//                  parser and our schema (independent of tetrars' writer).
#pragma once

#include <string>
#include <vector>

namespace fake_agent {

// Appends the events of `path`; false with a reason in `error`.
bool LoadReplayFile(const std::string& path, std::vector<std::string>* events, std::string* error);

std::string Base64Decode(const std::string& text, bool* ok);

}  // namespace fake_agent

// Part of stage 4 (encode): what tetrars adds to an event's JSON line.
//
// Contract: everything tetrars adds goes into one top-level "tetrars" object,
// appended as the line's last key, so tetra's own keys and their values stay
// exactly as tetra prints them:
//   "tetrars":{"auid_user":"alice","uid_user":"root",...,"truncated":true}
// Names come first, in the order added; "truncated" says strings were
// shortened to fit --max-line-bytes; "omitted_bytes" says the event itself did
// not fit and only its identity is on the line.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace tetrars {

struct Annotations {
  std::vector<std::pair<std::string, std::string>> names;  // key -> user name
  bool truncated = false;
  size_t omitted_bytes = 0;

  bool empty() const { return names.empty() && !truncated && omitted_bytes == 0; }
  // `"tetrars":{...}`, or "" when empty().
  std::string Member() const;
};

// Adds the annotations to the JSON object at line[from..] (which ends in '}').
void AppendAnnotations(const Annotations& annotations, std::string& line, size_t from);

}  // namespace tetrars

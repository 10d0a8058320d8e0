// A test double for the agent's CEL filter — not a CEL engine. It evaluates
// exactly the shape of expression tetrars sends for its --auid pushdown:
//   process_exec.process.auid >= 1000u && process_exec.process.auid <= 4294967294u
// i.e. auid fields of any event kind's process or parent, uint
// literals ("1000u"), true, the comparisons == != < <= > >=, && || and
// parentheses. Anything else is refused, so a test cannot pass by accident.
// An unset auid compares false (CEL would raise an error; the agent then
// drops the event).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "tetragon/events.pb.h"

namespace fake_agent {

class CelDouble {
 public:
  // Nothing, with `error`, for an expression outside the supported shape.
  static std::optional<CelDouble> Compile(const std::string& expression, std::string* error);
  bool Matches(const tetragon::GetEventsResponse& event) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace fake_agent

// The human-user rule: which audit login uids (auid) are printed.
//
// A spec is "any" (rule off) or comma-separated values and inclusive ranges of
// 32-bit uids, e.g. "1000-4294967294" (the default: every login uid from 1000
// up, without 4294967295, the kernel's "never logged in" value) or
// "1000-59999,0".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tetrars {

class AuidFilter {
 public:
  static constexpr const char* kDefaultSpec = "1000-4294967294";
  static constexpr uint32_t kUnset = 4294967295u;

  // Returns the filter, or nothing with a one-line reason in `error`.
  static std::optional<AuidFilter> Parse(const std::string& spec, std::string* error);

  bool enabled() const { return enabled_; }
  bool Matches(uint32_t auid) const;
  // The rule as a CEL condition on `field` (such as
  // "process_exec.process.auid"), for the agent to evaluate.
  std::string ToCel(const std::string& field) const;

 private:
  struct Range {
    uint32_t low;
    uint32_t high;
  };
  bool enabled_ = false;
  std::vector<Range> ranges_;
};

}  // namespace tetrars

#include "cli/options.h"

namespace tetrars {

const std::vector<std::string>& DefaultIncludeFields() {
  static const std::vector<std::string> fields = {"process.pid",
                                                  "process.uid",
                                                  "process.auid",
                                                  "process.cwd",
                                                  "process.binary",
                                                  "process.arguments",
                                                  "process.process_credentials",
                                                  "process.binary_properties",
                                                  "parent.pid",
                                                  "parent.binary",
                                                  "parent.cwd"};
  return fields;
}

}  // namespace tetrars

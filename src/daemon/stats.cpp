#include "daemon/stats.h"

namespace tetrars {

std::string Stats::Line() const {
  return "tetrars: stats: received=" + std::to_string(received) +
         " matched=" + std::to_string(matched) + " written=" + std::to_string(written) +
         " truncated=" + std::to_string(truncated) +
         " filtered_out=" + std::to_string(filtered_out) +
         " skipped_types=" + std::to_string(skipped_types) +
         " decode_errors=" + std::to_string(decode_errors) +
         " encode_errors=" + std::to_string(encode_errors) +
         " reconnects=" + std::to_string(reconnects) + " names_late=" + std::to_string(names_late) +
         " unwritten=" + std::to_string(unwritten);
}

}  // namespace tetrars

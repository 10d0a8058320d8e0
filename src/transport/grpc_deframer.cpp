#include "transport/grpc_deframer.h"

#include <algorithm>

namespace tetrars {

void GrpcDeframer::Reset() {
  header_filled_ = 0;
  in_payload_ = false;
  payload_size_ = 0;
  partial_.clear();
  partial_.shrink_to_fit();  // a huge message must not pin its memory
  problem_ = Problem::kNone;
  error_.clear();
}

bool GrpcDeframer::StartPayload() {
  const uint8_t flag = header_[0];
  payload_size_ = (size_t(header_[1]) << 24) | (size_t(header_[2]) << 16) |
                  (size_t(header_[3]) << 8) | size_t(header_[4]);
  header_filled_ = 0;
  if (flag == 1) {
    problem_ = Problem::kCompressed;
    error_ = "the agent sent a compressed gRPC message although tetrars offers no compression";
    return false;
  }
  if (flag != 0) {
    problem_ = Problem::kBadFlag;
    error_ = "invalid gRPC message flag " + std::to_string(flag);
    return false;
  }
  if (payload_size_ > max_message_size_) {
    problem_ = Problem::kTooLarge;
    error_ = "gRPC message of " + std::to_string(payload_size_) + " bytes exceeds the maximum of " +
             std::to_string(max_message_size_) + " bytes (--max-message-size)";
    return false;
  }
  in_payload_ = true;
  return true;
}

bool GrpcDeframer::Deliver(const uint8_t* data, size_t size) {
  in_payload_ = false;
  if (!on_message_(data, size)) {
    problem_ = Problem::kStoppedByReceiver;
    error_ = "stopped by the receiver";
    return false;
  }
  return true;
}

bool GrpcDeframer::Feed(const uint8_t* data, size_t size) {
  if (!error_.empty()) return false;
  while (size > 0 || (in_payload_ && payload_size_ == 0)) {
    if (!in_payload_) {
      const size_t take = std::min(size, sizeof header_ - header_filled_);
      std::copy(data, data + take, header_ + header_filled_);
      header_filled_ += take;
      data += take;
      size -= take;
      if (header_filled_ < sizeof header_) return true;
      if (!StartPayload()) return false;
      continue;
    }
    if (partial_.empty() && size >= payload_size_) {  // whole message in this chunk
      if (!Deliver(data, payload_size_)) return false;
      data += payload_size_;
      size -= payload_size_;
      continue;
    }
    // A message split across reads: room for all of it at once, so a 14 MB
    // event costs 14 MB here, not the up to 2x of a growing vector (the pages
    // are touched only as the bytes arrive).
    if (partial_.empty()) partial_.reserve(payload_size_);
    const size_t take = std::min(size, payload_size_ - partial_.size());
    partial_.insert(partial_.end(), data, data + take);
    data += take;
    size -= take;
    if (partial_.size() < payload_size_) return true;
    const bool ok = Deliver(partial_.data(), partial_.size());
    partial_.clear();
    if (partial_.capacity() > kKeepCapacity) partial_.shrink_to_fit();  // after a huge message
    if (!ok) return false;
  }
  return true;
}

}  // namespace tetrars

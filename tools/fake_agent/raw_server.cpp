#include "raw_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "grpc_methods.h"
#include "ping_policy.h"
#include "request_log.h"
#include "request_policy.h"
#include "wire_builder.h"

namespace fake_agent {
namespace {

using wire::BytesField;
using wire::Frame;

const std::set<std::string> kModes = {
    "eof-mid-message", "garbage",    "oversize", "compressed",    "unparsable", "invalid-utf8",
    "status",          "rst-stream", "goaway",   "goaway-abrupt", "hang",       "too-many-pings",
    "version-hang",    "version-404"};

// nghttp2 copies name and value when the frame is submitted.
nghttp2_nv Header(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

// grpc-message as gRPC sends it: bytes outside printable ASCII, and '%',
// percent-encoded (the client decodes them: a hostile message can carry
// any bytes this way).
std::string PercentEncoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = uint8_t(c);
    if (byte >= 0x20 && byte < 0x7f && c != '%') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

// One client connection, served to the end: its first GetEvents call (with
// the fault), and any number of GetVersion calls, before, beside or after it.
class Connection {
 public:
  // `calls` counts the GetEvents calls served so far: the fault goes to the
  // first ones (a connection that sends no request, like a readiness probe,
  // does not count, nor do GetVersion calls).
  Connection(int fd, const Config& config, long& calls, RequestLog& log)
      : fd_(fd), config_(config), calls_(calls), log_(log) {
    if (config.fault == "too-many-pings") ping_policy_.emplace(config.ping_min_time);
  }

  void Serve() {
    nghttp2_session_callbacks* cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrameCb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, OnDataCb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, OnBeginHeadersCb);
    nghttp2_session_callbacks_set_on_header_callback(cbs, OnHeaderCb);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, OnStreamCloseCb);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, OnFrameSendCb);
    nghttp2_session_server_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);

    while (!closed_) {
      if (!Send()) break;
      if (state_ == State::kPaused && Flushed()) {
        if (fault_.empty()) {
          NextInterval();
          // An event just released goes out now, as an agent writes an event
          // when it happens: waiting for POLLOUT first would hold it while
          // the client's unread data passes a quarter of the socket buffer
          // (unix_poll's rule), which no write-first server does.
          if (state_ == State::kStreaming) continue;
        } else {
          Fault();
        }
      }
      if (close_when_flushed_ && Flushed()) break;
      // Hanging: read nothing (PINGs go unanswered), only notice the client leaving.
      pollfd p{fd_, short(hanging_ ? POLLRDHUP : POLLIN), 0};
      if (!hanging_ && nghttp2_session_want_write(session_)) p.events |= POLLOUT;
      const timespec timeout = PollTimeout();
      if (ppoll(&p, 1, &timeout, nullptr) < 0) break;
      if (p.revents & (POLLHUP | POLLERR | POLLRDHUP)) break;
      if (p.revents & POLLIN) {
        char buf[16384];
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) break;
        if (nghttp2_session_mem_recv(session_, reinterpret_cast<uint8_t*>(buf), size_t(n)) < 0)
          break;
      }
    }
    nghttp2_session_del(session_);
    // Close the way a crashing agent's kernel would: everything sent arrives,
    // then EOF (closing with unread input would turn it into a reset).
    shutdown(fd_, SHUT_WR);
    for (char buf[4096];;) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 1000) <= 0 || read(fd_, buf, sizeof buf) <= 0) break;
    }
    close(fd_);
  }

 private:
  enum class State { kWaitingForRequest, kStreaming, kPaused, kDone };

  static Connection* Self(void* p) { return static_cast<Connection*>(p); }
  static int OnFrameCb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    return Self(user)->OnFrame(frame);
  }
  static int OnDataCb(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                      void* user) {
    Self(user)->incoming_[stream_id].body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  static int OnBeginHeadersCb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->headers.cat == NGHTTP2_HCAT_REQUEST)
      Self(user)->open_streams_.insert(frame->hd.stream_id);
    return 0;
  }
  static int OnHeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                        size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                        void* user) {
    if (std::string_view(reinterpret_cast<const char*>(name), namelen) == ":path") {
      Self(user)->incoming_[frame->hd.stream_id].path.assign(reinterpret_cast<const char*>(value),
                                                             valuelen);
    }
    return 0;
  }
  static int OnStreamCloseCb(nghttp2_session*, int32_t stream_id, uint32_t, void* user) {
    Self(user)->open_streams_.erase(stream_id);
    Self(user)->incoming_.erase(stream_id);
    Self(user)->unary_bodies_.erase(stream_id);
    return 0;
  }
  static int OnFrameSendCb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    // grpc-go resets the PING strikes whenever it writes DATA or HEADERS.
    auto& policy = Self(user)->ping_policy_;
    if (policy && (frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS))
      policy->OnDataOrHeadersSent();
    return 0;
  }
  static ssize_t ReadCb(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                        nghttp2_data_source*, void* user) {
    return Self(user)->ReadBody(buf, length, flags);
  }
  static ssize_t ReadPlainCb(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                             uint32_t* flags, nghttp2_data_source*, void* user) {
    return Self(user)->ReadPlain(stream_id, buf, length, flags);
  }
  static ssize_t ReadUnaryCb(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                             uint32_t* flags, nghttp2_data_source*, void* user) {
    return Self(user)->ReadUnary(stream_id, buf, length, flags);
  }

  bool Flushed() const { return !nghttp2_session_want_write(session_); }

  bool Send() {
    if (hanging_) return true;
    while (true) {
      const uint8_t* data;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) return true;
      for (ssize_t done = 0; done < n;) {
        const ssize_t w = send(fd_, data + done, size_t(n - done), MSG_NOSIGNAL);
        if (w <= 0) return false;
        done += w;
      }
    }
  }

  int OnFrame(const nghttp2_frame* frame) {
    if (frame->hd.type == NGHTTP2_PING && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) OnPing();
    const bool request_done =
        (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
    if (request_done) Dispatch(frame->hd.stream_id);
    return 0;
  }

  // nghttp2 has queued the ACK already; grpc-go too sends it before the GOAWAY.
  // The policy sees every PING of the connection, but only a connection that
  // got the fault is sent away.
  void OnPing() {
    if (!ping_policy_) return;
    const bool goaway =
        ping_policy_->OnPing(std::chrono::steady_clock::now(), !open_streams_.empty());
    // One line per PING, so tests can count them.
    std::cerr << "tetragon-fake: PING, strikes " << ping_policy_->strikes() << "\n";
    if (!goaway) return;
    if (fault_ != "too-many-pings" || sent_away_) return;
    const std::string debug = config_.goaway_debug.value_or("too_many_pings");
    nghttp2_submit_goaway(
        session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
        NGHTTP2_ENHANCE_YOUR_CALM, reinterpret_cast<const uint8_t*>(debug.data()), debug.size());
    sent_away_ = true;
    close_when_flushed_ = true;
  }

  // A whole request has arrived: route it by :path, as a gRPC server does.
  void Dispatch(int32_t stream_id) {
    auto it = incoming_.find(stream_id);
    if (it == incoming_.end()) return;  // a request without HEADERS cannot reach here
    const std::string path = it->second.path;
    // The message after the gRPC prefix (a request has one).
    const std::string body = it->second.body.size() >= 5 ? it->second.body.substr(5) : "";
    incoming_.erase(it);
    if (path == kGetEventsPath) {
      log_.Log("GetEvents", body);
      if (state_ != State::kWaitingForRequest) {
        constexpr int kResourceExhausted = 8;
        SubmitStatus(stream_id, kResourceExhausted,
                     "tetragon-fake --raw serves one GetEvents call per connection");
        return;
      }
      stream_id_ = stream_id;
      Respond(body);
    } else if (path == kGetVersionPath) {
      log_.Log("GetVersion", body);
      // Never answered (the stream stays open), on the connections the fault is for.
      if (config_.fault == "version-hang" && calls_ < config_.fault_connections) return;
      // Answered by something that is no gRPC method, as an HTTP router's
      // "404 page not found" (Go's net/http words).
      if (config_.fault == "version-404" && calls_ < config_.fault_connections) {
        unary_bodies_[stream_id] = "404 page not found\n";
        const nghttp2_nv headers[] = {Header(":status", "404"),
                                      Header("content-type", "text/plain; charset=utf-8")};
        nghttp2_data_provider provider{};
        provider.read_callback = ReadPlainCb;
        nghttp2_submit_response(session_, stream_id, headers, 2, &provider);
        return;
      }
      if (!config_.agent_version) {
        SubmitStatus(stream_id, kUnimplemented, UnknownMethodMessage(path));
        return;
      }
      tetragon::GetVersionResponse answer;
      answer.set_version(*config_.agent_version);
      unary_bodies_[stream_id] = Frame(answer.SerializeAsString());
      const nghttp2_nv headers[] = {Header(":status", "200"),
                                    Header("content-type", "application/grpc")};
      nghttp2_data_provider provider{};
      provider.read_callback = ReadUnaryCb;
      nghttp2_submit_response(session_, stream_id, headers, 2, &provider);
    } else {
      SubmitStatus(stream_id, kUnimplemented, UnknownMethodMessage(path));
    }
  }

  // A trailers-only response: the call ends with status `code`, no message sent.
  void SubmitStatus(int32_t stream_id, int code, const std::string& message) {
    const std::string code_text = std::to_string(code);
    const std::string encoded = PercentEncoded(message);
    const nghttp2_nv headers[] = {
        Header(":status", "200"), Header("content-type", "application/grpc"),
        Header("grpc-status", code_text), Header("grpc-message", encoded)};
    nghttp2_submit_response(session_, stream_id, headers, 4, nullptr);
  }

  // A plain HTTP body, then the end of the stream (no trailers).
  ssize_t ReadPlain(int32_t stream_id, uint8_t* buf, size_t length, uint32_t* flags) {
    std::string& body = unary_bodies_[stream_id];
    const size_t n = std::min(length, body.size());
    std::memcpy(buf, body.data(), n);
    body.erase(0, n);
    if (body.empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return ssize_t(n);
  }

  // GetVersion's one message, then grpc-status 0 in trailers.
  ssize_t ReadUnary(int32_t stream_id, uint8_t* buf, size_t length, uint32_t* flags) {
    std::string& body = unary_bodies_[stream_id];
    const size_t n = std::min(length, body.size());
    std::memcpy(buf, body.data(), n);
    body.erase(0, n);
    if (body.empty()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
      const nghttp2_nv trailers[] = {Header("grpc-status", "0")};
      nghttp2_submit_trailer(session_, stream_id, trailers, 1);
    }
    return ssize_t(n);
  }

  void Respond(const std::string& body) {
    // version-hang and version-404 are faults of GetVersion: GetEvents is
    // served cleanly.
    if (calls_++ < config_.fault_connections && config_.fault != "none" &&
        config_.fault.rfind("version-", 0) != 0) {
      fault_ = config_.fault;
    }
    bool ok;
    const PreparedEvents plan =
        PrepareEvents(body, config_.events, ParseCelMode(config_.cel, &ok), config_.parsed_version);
    if (plan.status != 0) {
      SubmitStatus(stream_id_, plan.status, plan.message);
      state_ = State::kDone;
      close_when_flushed_ = true;
      return;
    }
    // A clean call streams the framed events `loops` times without holding
    // more than one copy (the bench streams millions).
    const size_t first = fault_.empty() ? plan.events.size()
                                        : std::min(size_t(config_.fault_after), plan.events.size());
    for (size_t i = 0; i < first; ++i) {
      body_ += Frame(plan.events[i]);
      ends_.push_back(body_.size());
    }
    if (fault_.empty()) repeats_ = size_t(config_.loops);
    if (fault_.empty() && config_.interval_us > 0 && !ends_.empty()) pause_at_ = 0;
    const std::string next = plan.events.empty() ? "" : plan.events[first % plan.events.size()];
    if (fault_ == "eof-mid-message") {
      body_ += Frame(next).substr(0, (next.size() + 5) / 2);
      close_after_body_ = true;
    } else if (fault_ == "oversize") {
      body_ += std::string("\0\x7f\xff\xff\xff", 5);
      trailers_ = false;
    } else if (fault_ == "compressed") {
      body_ += Frame(next, 1);
      trailers_ = false;
    } else if (fault_ == "unparsable") {
      body_ += Frame("\x0a\xff\xff\x7f");  // field 1 announcing more bytes than follow
      trailers_ = false;
    } else if (fault_ == "invalid-utf8") {
      body_ += Frame(BytesField(1, BytesField(1, BytesField(5, "/bin/\xff\xfe"))));
      trailers_ = false;
    } else if (fault_ == "status") {
      end_code_ = 14;
      end_message_ = "fake agent fault: shutting down";
    } else if (fault_ == "rst-stream" || fault_ == "goaway" || fault_ == "goaway-abrupt" ||
               fault_ == "garbage" || fault_ == "hang") {
      pause_at_ = body_.size();
      if (fault_ == "goaway") {  // the rest of the stream follows the GOAWAY
        for (size_t i = first; i < plan.events.size(); ++i) body_ += Frame(plan.events[i]);
      }
    }
    if (fault_ == "too-many-pings") trailers_ = false;  // stay idle until the client PINGs
    if (fault_.empty()) {
      end_code_ = config_.end_code;
      end_message_ = config_.end_message;
    }
    const nghttp2_nv headers[] = {Header(":status", "200"),
                                  Header("content-type", "application/grpc")};
    nghttp2_data_provider provider{};
    provider.read_callback = ReadCb;
    nghttp2_submit_response(session_, stream_id_, headers, 2, &provider);
    state_ = State::kStreaming;
  }

  ssize_t ReadBody(uint8_t* buf, size_t length, uint32_t* flags) {
    const size_t total = body_.size() * repeats_;
    const bool pausing = pause_at_ != std::string::npos;
    const size_t limit = pausing ? pause_at_ : total;
    if (pausing && sent_ == limit) {
      state_ = State::kPaused;  // Fault() or the next interval resumes
      return NGHTTP2_ERR_DEFERRED;
    }
    const size_t offset = body_.empty() ? 0 : sent_ % body_.size();
    const size_t n = std::min({length, limit - sent_, body_.size() - offset});
    std::memcpy(buf, body_.data() + offset, n);
    sent_ += n;
    // The event's last byte goes into a DATA frame now, within the client's
    // flow-control credit: it is sent, not merely scheduled.
    if (log_send_at_pause_ && pausing && sent_ == limit) {
      log_send_at_pause_ = false;
      LogSend();
    }
    if (sent_ < total || pausing) return ssize_t(n);
    // The body is out: end it the way the mode says.
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (close_after_body_) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      close_when_flushed_ = true;
    } else if (!trailers_) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;  // and wait for the client to give up
    } else if (!config_.idle || !fault_.empty()) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      const std::string code = std::to_string(end_code_);
      const std::string message = PercentEncoded(end_message_);
      const nghttp2_nv trailers[] = {Header("grpc-status", code), Header("grpc-message", message)};
      nghttp2_submit_trailer(session_, stream_id_, trailers, end_message_.empty() ? 1 : 2);
      state_ = State::kDone;
    } else {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;  // --idle: hold the stream open
    }
    return ssize_t(n);
  }

  // --send-log: one line per event, the time its last byte was framed for
  // the socket. An event the client's flow control holds back is not logged.
  void LogSend() const {
    const auto now = std::chrono::steady_clock::now();
    std::ofstream(config_.send_log, std::ios::app)
        << std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count()
        << "\n";
  }

  // --interval/--rate: one event every interval, on a fixed schedule (a late
  // send does not delay the next ones, unless it is more than 100 ms late);
  // the send time of each goes to --send-log.
  void NextInterval() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_due_) return;
    const auto interval = std::chrono::microseconds(config_.interval_us);
    next_due_ =
        now - next_due_ > std::chrono::milliseconds(100) ? now + interval : next_due_ + interval;
    // Let exactly one more event out: pause again at its end (after the last
    // event, this lets the end of the stream out).
    const size_t n = ends_.size();
    const size_t last = interval_events_++;
    log_send_at_pause_ = !config_.send_log.empty() && last < n * repeats_;
    pause_at_ = interval_events_ > n * repeats_ ? std::string::npos
                                                : (last / n) * body_.size() + ends_[last % n];
    state_ = State::kStreaming;
    nghttp2_session_resume_data(session_, stream_id_);
  }

  timespec PollTimeout() const {
    long long ns = 100000000;
    if (state_ == State::kPaused && fault_.empty()) {
      ns = std::chrono::duration_cast<std::chrono::nanoseconds>(next_due_ -
                                                                std::chrono::steady_clock::now())
               .count();
      ns = std::clamp<long long>(ns, 0, 100000000);
    }
    return {0, long(ns)};
  }

  // GOAWAY with --goaway-debug as its debug data (none without it).
  void SubmitGoaway(int32_t last_stream_id, uint32_t error_code) {
    const std::string debug = config_.goaway_debug.value_or("");
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream_id, error_code,
                          reinterpret_cast<const uint8_t*>(debug.data()), debug.size());
  }

  // Called once the events before the fault have left the socket.
  void Fault() {
    if (fault_ == "rst-stream") {
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id_, NGHTTP2_INTERNAL_ERROR);
      close_when_flushed_ = true;
      state_ = State::kDone;
    } else if (fault_ == "goaway") {
      SubmitGoaway(stream_id_, NGHTTP2_NO_ERROR);
      pause_at_ = std::string::npos;
      state_ = State::kStreaming;
      nghttp2_session_resume_data(session_, stream_id_);
      end_code_ = 0;
    } else if (fault_ == "goaway-abrupt") {
      SubmitGoaway(0, NGHTTP2_INTERNAL_ERROR);
      close_when_flushed_ = true;
      state_ = State::kDone;
    } else if (fault_ == "garbage") {
      const std::string garbage(64, '\xff');
      [[maybe_unused]] ssize_t n = send(fd_, garbage.data(), garbage.size(), MSG_NOSIGNAL);
      closed_ = true;
    } else if (fault_ == "hang") {
      hanging_ = true;
      state_ = State::kDone;
    }
  }

  // A request as it arrives.
  struct Incoming {
    std::string path;
    std::string body;  // gRPC-framed
  };

  int fd_;
  const Config& config_;
  long& calls_;
  RequestLog& log_;
  std::string fault_;
  nghttp2_session* session_ = nullptr;
  State state_ = State::kWaitingForRequest;
  int32_t stream_id_ = 0;  // the GetEvents call's
  std::map<int32_t, Incoming> incoming_;
  std::map<int32_t, std::string> unary_bodies_;  // GetVersion answers still to send
  std::set<int32_t> open_streams_;               // grpc-go's activeStreams, for the ping policy
  std::optional<GrpcGoPingPolicy> ping_policy_;  // --fault too-many-pings
  bool sent_away_ = false;
  std::string body_;          // framed events of one loop (or of the faulty stream)
  std::vector<size_t> ends_;  // where each event of body_ ends
  size_t repeats_ = 1;
  size_t interval_events_ = 0;
  bool log_send_at_pause_ = false;  // --send-log: the event up to pause_at_ is due
  std::chrono::steady_clock::time_point next_due_{};
  size_t sent_ = 0;
  size_t pause_at_ = std::string::npos;
  bool trailers_ = true;
  bool close_after_body_ = false;
  bool close_when_flushed_ = false;
  bool closed_ = false;
  bool hanging_ = false;
  int end_code_ = 0;
  std::string end_message_;
};

int Listen(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) {
    std::string path = address.substr(5);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    unlink(path.c_str());
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 16) != 0)
      return -1;
    return fd;
  }
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(std::atoi(address.c_str() + colon + 1)));
  if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 16) != 0) return -1;
  return fd;
}

}  // namespace

bool IsFaultMode(const std::string& mode) {
  return kModes.count(mode) == 1 || mode == "none";
}

int RunRawServer(const Config& config, RequestLog& log) {
  const int listener = Listen(config.listen);
  if (listener < 0) {
    std::cerr << "tetragon-fake: cannot listen on " << config.listen << ": " << std::strerror(errno)
              << "\n";
    return 1;
  }
  std::cerr << "tetragon-fake: listening on " << config.listen << " with " << config.events.size()
            << " events, fault " << config.fault << " after " << config.fault_after << " events\n";
  long calls = 0;
  while (true) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Connection(fd, config, calls, log).Serve();
  }
}

}  // namespace fake_agent

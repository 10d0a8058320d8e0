#include "transport/transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "base/diagnostics.h"

namespace tetrars {
namespace {

constexpr int kConnectTimeoutMs = 5000;
constexpr int32_t kStreamWindow = 1 << 20;      // per-stream receive window
constexpr int32_t kConnectionWindow = 1 << 24;  // stream 0 receive window
constexpr size_t kReadChunk = 64 * 1024;

std::string Errno() {
  return std::strerror(errno);
}

constexpr const char* kAgentRemedy =
    "check that the Tetragon agent runs and that --server-address is right";

// What a failed connect() to a unix socket means for the user.
ConnectError UnixConnectError(const std::string& path, int err) {
  struct stat st {};
  if ((err == ECONNREFUSED || err == ENOTSOCK) && stat(path.c_str(), &st) == 0 &&
      !S_ISSOCK(st.st_mode)) {
    return {path + " is " + (S_ISDIR(st.st_mode) ? "a directory" : "a file") + ", not a socket",
            "check --server-address: the agent's socket is usually "
            "/var/run/tetragon/tetragon.sock"};
  }
  if (err == EACCES || err == EPERM) {
    return {std::string(std::strerror(err)) + " on " + path,
            "run tetrars as root, or as a member of the group that owns the socket"};
  }
  if (err == ECONNREFUSED) {
    return {std::strerror(err),
            "check that the Tetragon agent runs (nobody listens on " + path + ")"};
  }
  return {std::strerror(err), kAgentRemedy};
}

int ConnectUnix(const std::string& path, ConnectError* error) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) {  // ParseAddress refuses these already
    *error = {"socket path is longer than " + std::to_string(sizeof sa.sun_path - 1) + " bytes",
              "use a shorter --server-address"};
    return -1;
  }
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = {"socket: " + Errno(), "check the limits on open files (ulimit -n)"};
    return -1;
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    *error = UnixConnectError(path, errno);
    close(fd);
    return -1;
  }
  return fd;
}

int ConnectTcp(const std::string& host, const std::string& port, ConnectError* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    *error = {"cannot resolve " + host + ": " + gai_strerror(rc),
              "check the host name in --server-address and the resolver"};
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      *error = {"socket: " + Errno(), "check the limits on open files (ulimit -n)"};
      continue;
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, kConnectTimeoutMs);
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (rc == 0) {
        so_error = ETIMEDOUT;
      } else if (rc > 0) {
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      } else {
        so_error = errno;
      }
      errno = so_error;
      rc = so_error == 0 ? 0 : -1;
    }
    if (rc != 0) {
      *error = {Errno(), kAgentRemedy};
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd >= 0) {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

std::string PercentDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(uint8_t(in[i + 1])) &&
        std::isxdigit(uint8_t(in[i + 2]))) {
      out += char(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

GrpcCall* Self(void* user_data) {
  return static_cast<GrpcCall*>(user_data);
}

int OnHeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
               const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  return Self(user_data)->OnHeader(frame->hd.stream_id, frame->headers.cat,
                                   {reinterpret_cast<const char*>(name), namelen},
                                   {reinterpret_cast<const char*>(value), valuelen});
}

int OnFrameRecvCb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  const int category = frame->hd.type == NGHTTP2_HEADERS ? frame->headers.cat : -1;
  const bool goaway = frame->hd.type == NGHTTP2_GOAWAY;
  const uint32_t goaway_error = goaway ? frame->goaway.error_code : 0;
  const std::string_view goaway_debug =
      goaway ? std::string_view(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                                frame->goaway.opaque_data_len)
             : std::string_view();
  return Self(user_data)->OnFrame(frame->hd.stream_id, frame->hd.type, frame->hd.flags, category,
                                  goaway_error, goaway_debug);
}

int OnDataChunkCb(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                  void* user_data) {
  return Self(user_data)->OnData(stream_id, data, len);
}

int OnStreamCloseCb(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  return Self(user_data)->OnStreamClose(stream_id, error_code);
}

// nghttp2 answers a protocol violation by sending GOAWAY with an error code
// rather than failing mem_recv: that is where we learn the agent spoke bad HTTP/2.
int OnFrameSendCb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
    Self(user_data)->Abort(std::string("invalid HTTP/2 from the agent (tetrars answered GOAWAY ") +
                           nghttp2_http2_strerror(frame->goaway.error_code) + ")");
  }
  return 0;
}

// A request body is sent whole, from the Body the stream was submitted with.
ssize_t ReadRequestCb(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                      nghttp2_data_source* source, void*) {
  auto& body = *static_cast<GrpcCall::Body*>(source->ptr);
  const size_t n = std::min(length, body.bytes.size() - body.sent);
  std::memcpy(buf, body.bytes.data() + body.sent, n);
  body.sent += n;
  if (body.sent == body.bytes.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return ssize_t(n);
}

// A gRPC message as sent: uncompressed flag, 4-byte big-endian length, bytes.
std::string Framed(std::string_view message) {
  std::string framed;
  framed.reserve(5 + message.size());
  framed += '\0';
  for (int shift = 24; shift >= 0; shift -= 8) framed += char((message.size() >> shift) & 0xff);
  framed += message;
  return framed;
}

// GetVersionResponse is a few bytes; anything longer is not an answer.
constexpr size_t kMaxVersionAnswer = 4096;

nghttp2_nv Header(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

std::string GrpcStatusName(int code) {
  static constexpr std::array<const char*, 17> kNames = {"OK",
                                                         "CANCELLED",
                                                         "UNKNOWN",
                                                         "INVALID_ARGUMENT",
                                                         "DEADLINE_EXCEEDED",
                                                         "NOT_FOUND",
                                                         "ALREADY_EXISTS",
                                                         "PERMISSION_DENIED",
                                                         "RESOURCE_EXHAUSTED",
                                                         "FAILED_PRECONDITION",
                                                         "ABORTED",
                                                         "OUT_OF_RANGE",
                                                         "UNIMPLEMENTED",
                                                         "INTERNAL",
                                                         "UNAVAILABLE",
                                                         "DATA_LOSS",
                                                         "UNAUTHENTICATED"};
  if (code >= 0 && size_t(code) < kNames.size()) return kNames[code];
  return "code " + std::to_string(code);
}

std::string CallResult::Describe() const {
  if (!has_status) return transport_error;
  std::string text = "status " + GrpcStatusName(status) + " (" + std::to_string(status) + ")";
  if (!message.empty()) text += ": " + Quoted(message);
  return text;
}

GrpcCall::GrpcCall(int fd, size_t max_message_size, GrpcDeframer::OnMessage on_message)
    : fd_(fd),
      deframer_(max_message_size,
                [this, on_message = std::move(on_message)](const uint8_t* data, size_t size) {
                  ++messages_;
                  return on_message(data, size);
                }) {}

void GrpcCall::Abort(std::string why, std::string remedy) {
  Fail(std::move(why), std::move(remedy));
}

void GrpcCall::Ping() {
  if (done_) return;
  nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
  ping_outstanding_ = true;
  SendPending();
}

GrpcCall::~GrpcCall() {
  if (session_ != nullptr) nghttp2_session_del(session_);
  if (fd_ >= 0) close(fd_);
}

std::unique_ptr<GrpcCall> GrpcCall::Connect(const Address& address, MakeRequest make_request,
                                            size_t max_message_size,
                                            GrpcDeframer::OnMessage on_message,
                                            const std::string& user_agent, ConnectError* error) {
  const int fd = address.is_unix ? ConnectUnix(address.path, error)
                                 : ConnectTcp(address.host, address.port, error);
  if (fd < 0) return nullptr;
  std::unique_ptr<GrpcCall> call(new GrpcCall(fd, max_message_size, std::move(on_message)));
  call->authority_ = address.Authority();
  call->make_request_ = std::move(make_request);
  std::string why;
  if (!call->Start(user_agent, &why)) {
    *error = {why, kAgentRemedy};
    return nullptr;
  }
  return call;
}

bool GrpcCall::Start(const std::string& user_agent, std::string* error) {
  user_agent_ = user_agent;
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeaderCb);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrameRecvCb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnDataChunkCb);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamCloseCb);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, OnFrameSendCb);
  const int rc = nghttp2_session_client_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  if (rc != 0) {
    *error = std::string("cannot create HTTP/2 session: ") + nghttp2_strerror(rc);
    return false;
  }
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, uint32_t(kStreamWindow)},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  ++settings_sent_;
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);

  version_body_.bytes = Framed("");  // GetVersionRequest has no fields
  version_stream_ = Submit("/tetragon.FineGuidanceSensors/GetVersion", version_body_);
  if (version_stream_ < 0) {
    *error = std::string("cannot submit the request: ") + nghttp2_strerror(version_stream_);
    return false;
  }
  version_deadline_ = std::chrono::steady_clock::now() + kVersionTimeout;
  SendPending();
  if (done_) {
    *error = result_.transport_error;
    return false;
  }
  return true;
}

int32_t GrpcCall::Submit(std::string_view method, Body& body) {
  const nghttp2_nv headers[] = {
      Header(":method", "POST"),
      Header(":scheme", "http"),
      Header(":path", method),
      Header(":authority", authority_),
      Header("content-type", "application/grpc"),
      Header("te", "trailers"),
      Header("user-agent", user_agent_),
  };
  nghttp2_data_provider provider{};
  provider.source.ptr = &body;
  provider.read_callback = ReadRequestCb;
  return nghttp2_submit_request(session_, nullptr, headers, std::size(headers), &provider, this);
}

// The version is known (or will stay unknown): GetEvents goes out now.
void GrpcCall::VersionKnown(const AgentVersion& version) {
  version_stream_ = -1;
  version_deadline_ = std::chrono::steady_clock::time_point::max();
  version_ = version;
  http_status_.clear();
  content_type_.clear();
  request_.bytes = Framed(make_request_(version));
  stream_id_ = Submit("/tetragon.FineGuidanceSensors/GetEvents", request_);
  if (stream_id_ < 0) {
    Fail(std::string("cannot submit the request: ") + nghttp2_strerror(stream_id_));
  }
}

void GrpcCall::VersionStreamClosed(uint32_t error_code) {
  AgentVersion version = AgentVersion::Unknown();
  if (error_code == NGHTTP2_NO_ERROR && version_status_ == 0 && !version_too_long_) {
    version = AgentVersion::FromAnswer(version_answer_);
  }
  VersionKnown(version);
}

void GrpcCall::OnDeadline() {
  if (done_ || version_stream_ < 0) return;
  if (std::chrono::steady_clock::now() < version_deadline_) return;
  // An answer that arrived with the deadline is in the socket: read it first.
  while (OnReadable()) {
  }
  if (done_ || version_stream_ < 0) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, version_stream_, NGHTTP2_CANCEL);
  VersionKnown(AgentVersion::Unknown());
  SendPending();
}

bool GrpcCall::WantsToWrite() const {
  return !done_ && (!outgoing_.empty() || (!holding_ && nghttp2_session_want_write(session_)));
}

void GrpcCall::Fail(std::string why, std::string remedy) {
  if (done_) return;
  version_deadline_ = std::chrono::steady_clock::time_point::max();
  result_.has_status = false;
  result_.transport_error = std::move(why);
  result_.remedy = std::move(remedy);
  done_ = true;
}

void GrpcCall::HoldCredit() {
  if (done_ || holding_) return;
  // The agent applies the new initial window to the open stream before it
  // acknowledges: its window drops to zero or below, so every DATA frame it
  // sends after the ACK would break flow control. Frames it sent before are
  // ahead of the ACK on the connection.
  const nghttp2_settings_entry no_credit{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0};
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, &no_credit, 1) != 0) return;
  ++settings_sent_;
  SendPending();
  // From now on nothing new goes out: nghttp2 would grant the credit again
  // with a WINDOW_UPDATE as we read.
  holding_ = true;
}

void GrpcCall::SendPending() {
  while (!done_) {
    if (outgoing_.empty()) {
      if (holding_) return;
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return Fail(std::string("HTTP/2 error: ") + nghttp2_strerror(int(n)));
      if (n == 0) return;
      outgoing_.assign(reinterpret_cast<const char*>(data), size_t(n));
    }
    const ssize_t written = send(fd_, outgoing_.data(), outgoing_.size(), MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // POLLOUT will call us again
      return Fail("cannot send to the agent: " + Errno());
    }
    outgoing_.erase(0, size_t(written));
  }
}

bool GrpcCall::OnReadable() {
  // One read per call: a read that does not fill the buffer took all there
  // was, so a second one would only return EAGAIN (a system call per wake-up
  // for nothing). A full buffer means more may wait: the caller reads again.
  if (done_) return false;
  // Not zero-filled (new[] of bytes): a page is touched when recv writes it,
  // so a quiet connection keeps one page of it, not 64 KiB.
  if (!read_buffer_) read_buffer_.reset(new uint8_t[kReadChunk]);
  ssize_t n;
  do {
    n = recv(fd_, read_buffer_.get(), kReadChunk, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    Fail("connection to the agent failed: " + Errno() +
         (deframer_.AtBoundary() ? "" : " in the middle of a message"));
    return false;
  }
  if (n == 0) {
    std::string why = deframer_.AtBoundary()
                          ? "the agent closed the connection"
                          : "the agent closed the connection in the middle of a message";
    if (!goaway_.empty()) why += " after " + goaway_;
    Fail(why);
    return false;
  }
  bytes_received_ += uint64_t(n);
  last_receive_ = std::chrono::steady_clock::now();
  ping_outstanding_ = false;  // the connection is alive
  const ssize_t used = nghttp2_session_mem_recv(session_, read_buffer_.get(), size_t(n));
  if (used < 0) {
    Fail(std::string("invalid HTTP/2 from the agent: ") + nghttp2_strerror(int(used)));
    return false;
  }
  // WINDOW_UPDATEs and PING acks must go out (usually nothing to send).
  SendPending();
  return !done_ && size_t(n) == kReadChunk;
}

int GrpcCall::OnHeader(int32_t stream_id, int category, std::string_view name,
                       std::string_view value) {
  const bool version = stream_id == version_stream_ && stream_id >= 0;
  if (stream_id != stream_id_ && !version) return 0;
  if (category == NGHTTP2_HCAT_RESPONSE && name == ":status") http_status_ = value;
  if (category == NGHTTP2_HCAT_RESPONSE && name == "content-type") content_type_ = value;
  if (name == "grpc-status") {
    int status = -1;
    if (!value.empty() && value.size() < 6 &&
        value.find_first_not_of("0123456789") == std::string_view::npos) {
      status = std::stoi(std::string(value));
    }
    if (version) {
      version_status_ = status;
      return 0;
    }
    result_.has_status = true;
    result_.status = status;
  }
  if (name == "grpc-message" && !version) result_.message = PercentDecode(value);
  return 0;
}

void GrpcCall::CheckResponseHeaders(int32_t stream_id) {
  const bool grpc = http_status_ == "200" && content_type_.rfind("application/grpc", 0) == 0;
  if (stream_id == version_stream_ && !grpc) {
    // GetVersion answered by something that is no gRPC method (an HTTP 404
    // from a proxy or a router): the version is unknown, as for any other
    // refusal; GetEvents says whether the peer serves gRPC at all.
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
    VersionKnown(AgentVersion::Unknown());
    return;
  }
  if (http_status_ != "200") {
    Fail("the agent answered HTTP status " + Quoted(http_status_) + " instead of 200");
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
  } else if (content_type_.rfind("application/grpc", 0) != 0) {
    Fail("the peer is not a gRPC server (content-type '" + Quoted(content_type_) + "')");
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
  }
}

int GrpcCall::OnFrame(int32_t stream_id, int type, uint8_t flags, int category,
                      uint32_t goaway_error, std::string_view goaway_debug) {
  if (type == NGHTTP2_SETTINGS && (flags & NGHTTP2_FLAG_ACK) != 0) ++settings_acked_;
  if (type == NGHTTP2_GOAWAY) {
    // The debug data says why (grpc-go: "too_many_pings"), in the agent's words.
    goaway_ = std::string("the agent sent GOAWAY (") + nghttp2_http2_strerror(goaway_error) +
              (goaway_debug.empty() ? "" : ": " + Quoted(goaway_debug)) + ")";
    calm_down_ = goaway_error == NGHTTP2_ENHANCE_YOUR_CALM;
    return 0;
  }
  const bool ours = stream_id >= 0 && (stream_id == stream_id_ || stream_id == version_stream_);
  if (type == NGHTTP2_HEADERS && ours && category == NGHTTP2_HCAT_RESPONSE) {
    const bool events = stream_id == stream_id_;
    CheckResponseHeaders(stream_id);
    if (events && !done_) answered_ = true;
  }
  return 0;
}

int GrpcCall::OnData(int32_t stream_id, const uint8_t* data, size_t size) {
  if (stream_id == version_stream_ && stream_id >= 0) {
    if (version_answer_.size() + size <= kMaxVersionAnswer) {
      version_answer_.append(reinterpret_cast<const char*>(data), size);
    } else {
      version_too_long_ = true;  // not an answer, whatever the status says
    }
    return 0;
  }
  if (stream_id != stream_id_ || done_) return 0;
  if (!deframer_.Feed(data, size)) {
    Fail(deframer_.error(), deframer_.problem() == GrpcDeframer::Problem::kTooLarge
                                ? "raise --max-message-size if the agent's events are that large"
                                : "");
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id_, NGHTTP2_CANCEL);
  }
  return 0;
}

int GrpcCall::OnStreamClose(int32_t stream_id, uint32_t error_code) {
  if (stream_id == version_stream_ && stream_id >= 0) {
    if (!done_) VersionStreamClosed(error_code);
    return 0;
  }
  if (stream_id != stream_id_ || done_) return 0;
  if (!deframer_.AtBoundary()) {
    Fail("the stream ended in the middle of a message");
  } else if (result_.has_status && result_.status >= 0) {
    done_ = true;
  } else if (result_.has_status) {
    Fail("the agent sent an invalid grpc-status");
  } else if (error_code != NGHTTP2_NO_ERROR) {
    Fail(std::string("the agent reset the stream (") + nghttp2_http2_strerror(error_code) + ")" +
         (goaway_.empty() ? "" : " after " + goaway_));
  } else {
    Fail(goaway_.empty() ? "the stream ended without a gRPC status" : goaway_);
  }
  return 0;
}

}  // namespace tetrars

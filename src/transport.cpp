#include "transport.h"

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

#include <array>
#include <cerrno>
#include <cstring>

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
  const uint32_t goaway_error = frame->hd.type == NGHTTP2_GOAWAY ? frame->goaway.error_code : 0;
  return Self(user_data)->OnFrame(frame->hd.stream_id, frame->hd.type, frame->hd.flags, category,
                                  goaway_error);
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

ssize_t ReadRequestCb(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                      nghttp2_data_source*, void* user_data) {
  return Self(user_data)->ReadRequest(buf, length, data_flags);
}

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
  if (!message.empty()) text += ": " + message;
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

std::unique_ptr<GrpcCall> GrpcCall::Connect(const Address& address, const std::string& request,
                                            size_t max_message_size,
                                            GrpcDeframer::OnMessage on_message,
                                            const std::string& user_agent, ConnectError* error) {
  const int fd = address.is_unix ? ConnectUnix(address.path, error)
                                 : ConnectTcp(address.host, address.port, error);
  if (fd < 0) return nullptr;
  std::unique_ptr<GrpcCall> call(new GrpcCall(fd, max_message_size, std::move(on_message)));
  std::string why;
  if (!call->Start(address, request, user_agent, &why)) {
    *error = {why, kAgentRemedy};
    return nullptr;
  }
  return call;
}

bool GrpcCall::Start(const Address& address, const std::string& request,
                     const std::string& user_agent, std::string* error) {
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
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);

  request_.reserve(5 + request.size());
  request_ += '\0';  // uncompressed
  for (int shift = 24; shift >= 0; shift -= 8) request_ += char((request.size() >> shift) & 0xff);
  request_ += request;

  const std::string authority = address.Authority();
  const nghttp2_nv headers[] = {
      Header(":method", "POST"),
      Header(":scheme", "http"),
      Header(":path", "/tetragon.FineGuidanceSensors/GetEvents"),
      Header(":authority", authority),
      Header("content-type", "application/grpc"),
      Header("te", "trailers"),
      Header("user-agent", user_agent),
  };
  nghttp2_data_provider provider{};
  provider.read_callback = ReadRequestCb;
  stream_id_ =
      nghttp2_submit_request(session_, nullptr, headers, std::size(headers), &provider, this);
  if (stream_id_ < 0) {
    *error = std::string("cannot submit the request: ") + nghttp2_strerror(stream_id_);
    return false;
  }
  SendPending();
  if (done_) {
    *error = result_.transport_error;
    return false;
  }
  return true;
}

ssize_t GrpcCall::ReadRequest(uint8_t* buf, size_t length, uint32_t* data_flags) {
  const size_t n = std::min(length, request_.size() - request_sent_);
  std::memcpy(buf, request_.data() + request_sent_, n);
  request_sent_ += n;
  if (request_sent_ == request_.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return ssize_t(n);
}

bool GrpcCall::WantsToWrite() const {
  return !done_ && (!outgoing_.empty() || nghttp2_session_want_write(session_));
}

void GrpcCall::Fail(std::string why, std::string remedy) {
  if (done_) return;
  result_.has_status = false;
  result_.transport_error = std::move(why);
  result_.remedy = std::move(remedy);
  done_ = true;
}

void GrpcCall::SendPending() {
  while (!done_) {
    if (outgoing_.empty()) {
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
  if (stream_id != stream_id_) return 0;
  if (category == NGHTTP2_HCAT_RESPONSE && name == ":status") http_status_ = value;
  if (category == NGHTTP2_HCAT_RESPONSE && name == "content-type") content_type_ = value;
  if (name == "grpc-status") {
    result_.has_status = true;
    result_.status = -1;
    if (!value.empty() && value.size() < 6 &&
        value.find_first_not_of("0123456789") == std::string_view::npos) {
      result_.status = std::stoi(std::string(value));
    }
  }
  if (name == "grpc-message") result_.message = PercentDecode(value);
  return 0;
}

int GrpcCall::OnFrame(int32_t stream_id, int type, uint8_t, int category, uint32_t goaway_error) {
  if (type == NGHTTP2_GOAWAY) {
    goaway_ = std::string("the agent sent GOAWAY (") + nghttp2_http2_strerror(goaway_error) + ")";
    calm_down_ = goaway_error == NGHTTP2_ENHANCE_YOUR_CALM;
    return 0;
  }
  if (type == NGHTTP2_HEADERS && stream_id == stream_id_ && category == NGHTTP2_HCAT_RESPONSE) {
    if (http_status_ != "200") {
      Fail("the agent answered HTTP status " + http_status_ + " instead of 200");
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id_, NGHTTP2_CANCEL);
    } else if (content_type_.rfind("application/grpc", 0) != 0) {
      Fail("the peer is not a gRPC server (content-type '" + content_type_ + "')");
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id_, NGHTTP2_CANCEL);
    }
  }
  return 0;
}

int GrpcCall::OnData(int32_t stream_id, const uint8_t* data, size_t size) {
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

// Stage 1 of the data path (transport): one connection to the agent, gRPC
// over HTTP/2 (nghttp2) on a unix or TCP socket, driven by the caller's poll
// loop: GetVersion, then one GetEvents call.
//
// Contract: Connect() opens the socket and queues the HTTP/2 preface and a
// GetVersion call (POST /tetragon.FineGuidanceSensors/GetVersion,
// application/grpc, te: trailers, no compression offered). Its answer — or
// "unknown" when the agent refuses it (UNIMPLEMENTED, any error status, a
// reset stream, an HTTP status other than 200 such as a 404, a content-type
// other than gRPC) or does not answer within kVersionTimeout — goes to
// `make_request`, whose bytes become the GetEvents request on the same
// connection: what tetrars asks depends on the agent's version
// (agent_version.h). The version call never fails the connection, except
// for what would fail GetEvents as well (a non-gRPC peer, broken HTTP/2).
// The loop polls fd() for POLLIN (when
// it wants to read) and for POLLOUT while WantsToWrite(), and calls
// OnReadable()/OnWritable(). Every complete gRPC message
// goes to on_message, in order, synchronously; returning false from it cancels
// the call. WINDOW_UPDATEs are flushed after each receive (and the connection
// window is raised at start), so the agent is never stalled by us except when
// we stop reading. When the call is over, done() is true and result() says how:
// the grpc-status / grpc-message of the trailers (or of a trailers-only
// response), or a transport failure with a one-line reason.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transport/address.h"
#include "transport/agent_version.h"
#include "transport/grpc_deframer.h"

typedef struct nghttp2_session nghttp2_session;

namespace tetrars {

struct CallResult {
  bool has_status = false;  // false: the call failed below gRPC (transport_error says why)
  int status = -1;          // grpc-status
  std::string message;      // grpc-message (percent-decoded, as the agent wrote it)
  std::string transport_error;
  std::string remedy;  // what the user can do, when it is not "check the agent"

  bool ok() const { return has_status && status == 0; }
  // One line: "status INVALID_ARGUMENT (3): <message>" or the transport error,
  // the agent's words in them escaped and cut (diagnostics.h, Quoted).
  std::string Describe() const;
};

// Name of a gRPC status code ("UNAVAILABLE"), or "code N".
std::string GrpcStatusName(int code);

// Why Connect() failed, and what the user can do about it: a socket path
// that is a directory, a permission problem and an agent that is not
// running call for different actions.
struct ConnectError {
  std::string what;    // "Connection refused", "/x is a directory, not a socket"
  std::string remedy;  // "check that the Tetragon agent runs ..."
};

// How long an agent may take to answer GetVersion before tetrars goes on
// without its version (an agent answers at once; this is for a stuck one).
inline constexpr std::chrono::seconds kVersionTimeout{5};

class GrpcCall {
 public:
  // The GetEvents request for the agent's version.
  using MakeRequest = std::function<std::string(const AgentVersion&)>;

  static std::unique_ptr<GrpcCall> Connect(const Address& address, MakeRequest make_request,
                                           size_t max_message_size,
                                           GrpcDeframer::OnMessage on_message,
                                           const std::string& user_agent, ConnectError* error);
  ~GrpcCall();
  GrpcCall(const GrpcCall&) = delete;
  GrpcCall& operator=(const GrpcCall&) = delete;

  int fd() const { return fd_; }
  // HTTP/2 bytes wait to be sent (poll the socket for POLLOUT).
  bool WantsToWrite() const;
  // Reads once and hands the complete messages to on_message; true when the
  // read filled its buffer, so more may be waiting (call again).
  bool OnReadable();
  void OnWritable() { SendPending(); }
  bool done() const { return done_; }
  const CallResult& result() const { return result_; }
  // While GetVersion is unanswered: when to give up waiting for it (call
  // OnDeadline() then). time_point::max() once GetEvents is under way.
  std::chrono::steady_clock::time_point deadline() const { return version_deadline_; }
  void OnDeadline();
  // GetEvents got its response headers (HTTP 200, gRPC): the agent took the call.
  bool answered() const { return answered_; }
  // What GetVersion said (unknown until then, and when it said nothing).
  const AgentVersion& agent_version() const { return version_; }

  // A stop: the agent is asked to send no more events (no flow-control
  // credit: SETTINGS_INITIAL_WINDOW_SIZE 0), and nothing else is sent. Read
  // on until credit_held(): then every event the agent wrote before it
  // stopped has been read, and closing loses none.
  void HoldCredit();
  bool credit_held() const { return holding_ && settings_acked_ >= settings_sent_; }

  // Ends the call from our side (the loop found a reason to drop it).
  void Abort(std::string why, std::string remedy = "");
  // Keepalive: an HTTP/2 PING; any bytes from the agent count as its answer.
  void Ping();
  bool ping_outstanding() const { return ping_outstanding_; }
  std::chrono::steady_clock::time_point last_receive() const { return last_receive_; }
  // How many gRPC messages this call delivered (a healthy call delivered some).
  uint64_t messages() const { return messages_; }
  // Bytes read from the socket so far.
  uint64_t bytes_received() const { return bytes_received_; }
  // The agent closed with GOAWAY ENHANCE_YOUR_CALM: it wants fewer PINGs.
  bool told_to_calm_down() const { return calm_down_; }

  // nghttp2 callbacks (public for the C trampolines).
  int OnHeader(int32_t stream_id, int category, std::string_view name, std::string_view value);
  int OnFrame(int32_t stream_id, int type, uint8_t flags, int category, uint32_t goaway_error,
              std::string_view goaway_debug);
  int OnData(int32_t stream_id, const uint8_t* data, size_t size);
  int OnStreamClose(int32_t stream_id, uint32_t error_code);

  // One request body being sent: the 5-byte gRPC prefix and the message.
  struct Body {
    std::string bytes;
    size_t sent = 0;
  };

 private:
  GrpcCall(int fd, size_t max_message_size, GrpcDeframer::OnMessage on_message);
  bool Start(const std::string& user_agent, std::string* error);
  int32_t Submit(std::string_view method, Body& body);
  void VersionKnown(const AgentVersion& version);
  void VersionStreamClosed(uint32_t error_code);
  void SendPending();
  void Fail(std::string why, std::string remedy = "");
  // The response headers of `stream_id` say HTTP 200 and gRPC, or fail the call.
  void CheckResponseHeaders(int32_t stream_id);

  int fd_;
  nghttp2_session* session_ = nullptr;
  std::string authority_;
  std::string user_agent_;
  MakeRequest make_request_;
  // GetVersion: its stream, the answer's bytes, its status.
  int32_t version_stream_ = -1;
  Body version_body_;
  std::string version_answer_;
  int version_status_ = -1;
  bool version_too_long_ = false;
  std::chrono::steady_clock::time_point version_deadline_ =
      std::chrono::steady_clock::time_point::max();
  AgentVersion version_ = AgentVersion::Unknown();
  // GetEvents.
  int32_t stream_id_ = -1;
  GrpcDeframer deframer_;
  Body request_;
  std::string outgoing_;  // HTTP/2 bytes the socket did not take yet
  std::unique_ptr<uint8_t[]> read_buffer_;
  std::string http_status_;
  std::string content_type_;
  std::string goaway_;
  CallResult result_;
  bool done_ = false;
  bool answered_ = false;
  bool ping_outstanding_ = false;
  bool calm_down_ = false;
  bool holding_ = false;  // HoldCredit(): send nothing new
  int settings_sent_ = 0;
  int settings_acked_ = 0;
  uint64_t messages_ = 0;
  uint64_t bytes_received_ = 0;
  std::chrono::steady_clock::time_point last_receive_ = std::chrono::steady_clock::now();
};

}  // namespace tetrars

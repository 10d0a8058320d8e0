// tetragon-fake --fault too-many-pings against a client that PINGs on a
// schedule the test controls: grpc-go's policy over a real connection.
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "process_runner.h"
#include "test_util.h"

namespace {

using namespace std::chrono_literals;

const std::string kFake = std::string(TETRARS_BUILD_DIR) + "/tetragon-fake";

nghttp2_nv Header(const char* name, const char* value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name)),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value)), std::strlen(name),
          std::strlen(value), NGHTTP2_NV_FLAG_NONE};
}

// A bare HTTP/2 client: one GetEvents call, then PINGs when told.
class PingClient {
 public:
  explicit PingClient(const std::string& socket_path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, socket_path.c_str(), sizeof sa.sun_path - 1);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    nghttp2_session_callbacks* cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, OnFrame);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cbs, [](nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t len, void* user) {
          static_cast<PingClient*>(user)->data_bytes_ += len;
          return 0;
        });
    nghttp2_session_client_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~PingClient() {
    nghttp2_session_del(session_);
    close(fd_);
  }

  void GetEvents() {
    const nghttp2_nv headers[] = {Header(":method", "POST"),
                                  Header(":scheme", "http"),
                                  Header(":path", "/tetragon.FineGuidanceSensors/GetEvents"),
                                  Header(":authority", "localhost"),
                                  Header("content-type", "application/grpc"),
                                  Header("te", "trailers")};
    nghttp2_data_provider provider{};
    provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t, uint32_t* flags,
                                nghttp2_data_source*, void*) -> ssize_t {
      std::memset(buf, 0, 5);  // an empty GetEventsRequest, framed
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return 5;
    };
    nghttp2_submit_request(session_, nullptr, headers, 6, &provider, nullptr);
  }

  void Ping() { nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr); }

  // Sends what is queued, then reads for `span`; false once the peer closed.
  bool Pump(std::chrono::milliseconds span) {
    const auto end = std::chrono::steady_clock::now() + span;
    while (true) {
      const uint8_t* data;
      for (ssize_t n; (n = nghttp2_session_mem_send(session_, &data)) > 0;) {
        if (send(fd_, data, size_t(n), MSG_NOSIGNAL) != n) return false;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return true;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, int(left.count())) <= 0) continue;
      char buf[16384];
      const ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return false;
      if (nghttp2_session_mem_recv(session_, reinterpret_cast<uint8_t*>(buf), size_t(n)) < 0)
        return false;
    }
  }

  size_t data_bytes() const { return data_bytes_; }
  int acks() const { return acks_; }
  bool goaway() const { return goaway_; }
  uint32_t goaway_code() const { return goaway_code_; }
  const std::string& goaway_debug() const { return goaway_debug_; }

 private:
  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto* self = static_cast<PingClient*>(user);
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK)) ++self->acks_;
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      self->goaway_ = true;
      self->goaway_code_ = frame->goaway.error_code;
      self->goaway_debug_.assign(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                                 frame->goaway.opaque_data_len);
    }
    return 0;
  }

  int fd_ = -1;
  nghttp2_session* session_ = nullptr;
  size_t data_bytes_ = 0;
  int acks_ = 0;
  bool goaway_ = false;
  uint32_t goaway_code_ = 0;
  std::string goaway_debug_;
};

class FakePings : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_util::MakeTempDir();
    socket_ = dir_ + "/fake.sock";
  }
  void TearDown() override {
    Stop();
    std::filesystem::remove_all(dir_);
  }
  // SIGTERM: the fake must end cleanly and soon (a sanitized build checks for leaks).
  void Stop() {
    if (!fake_) return;
    fake_->Signal(SIGTERM);
    EXPECT_EQ(fake_->Wait(3000), 0) << test_util::ReadFile(dir_ + "/fake.err");
    fake_.reset();
  }

  void Start(const std::string& min_time) {
    fake_ = std::make_unique<test_util::ChildProcess>(
        std::vector<std::string>{kFake, "--listen", "unix:" + socket_, "--replay",
                                 test_util::CorpusPath("seed.wire.b64"), "--fault",
                                 "too-many-pings", "--ping-min-time", min_time},
        dir_ + "/fake.out", dir_ + "/fake.err");
    ASSERT_TRUE(test_util::WaitUntil([&] { return test_util::CanConnectUnix(socket_); }, 10000));
  }
  // A client whose GetEvents call has its 3 events and is idle.
  std::unique_ptr<PingClient> IdleCall() {
    auto client = std::make_unique<PingClient>(socket_);
    client->GetEvents();
    EXPECT_TRUE(client->Pump(300ms));
    EXPECT_GT(client->data_bytes(), 0u);
    return client;
  }

  std::string dir_;
  std::string socket_;
  std::unique_ptr<test_util::ChildProcess> fake_;
};

TEST_F(FakePings, ThirdStrikeGetsGoawayEnhanceYourCalm) {
  Start("10s");
  auto client = IdleCall();
  // The first PING after the events is forgiven; the 2nd to 4th are strikes.
  for (int ping = 1; ping <= 3; ++ping) {
    client->Ping();
    ASSERT_TRUE(client->Pump(100ms)) << ping;
    EXPECT_EQ(client->acks(), ping);
    EXPECT_FALSE(client->goaway()) << ping;
  }
  client->Ping();
  EXPECT_FALSE(client->Pump(2000ms));  // then the fake closes the connection
  EXPECT_EQ(client->acks(), 4);        // grpc-go answers the PING first
  EXPECT_TRUE(client->goaway());
  EXPECT_EQ(client->goaway_code(), uint32_t(NGHTTP2_ENHANCE_YOUR_CALM));
  EXPECT_EQ(client->goaway_debug(), "too_many_pings");
}

TEST_F(FakePings, PingsNoMoreOftenThanMinTimeAreFine) {
  Start("100ms");
  auto client = IdleCall();
  for (int ping = 1; ping <= 6; ++ping) {
    client->Ping();
    ASSERT_TRUE(client->Pump(150ms)) << ping;
  }
  EXPECT_EQ(client->acks(), 6);
  EXPECT_FALSE(client->goaway());
}

}  // namespace

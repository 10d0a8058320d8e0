// tetragon-fake: a stand-in Tetragon agent for tests, the demo and the bench.
//
//   tetragon-fake --listen ADDR --replay FILE [FILE...] [--loop N] [--idle]
//                 [--end-status CODE[:MESSAGE]]
//
// Serves FineGuidanceSensors.GetEvents with grpc++ (a real gRPC peer,
// independent of tetrars' nghttp2 client). Each call replays the events of
// the FILEs N times, honouring the request as request_policy.h describes, then
// ends with status OK (or --end-status). --idle holds the stream open after the
// replay (or at once, with no FILE) until the client goes away. GetVersion
// answers --agent-version, or UNIMPLEMENTED without it.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/support/method_handler.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "grpc_methods.h"
#include "raw_server.h"
#include "replay_source.h"
#include "request_log.h"
#include "request_policy.h"

namespace {

using fake_agent::Config;

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

class FakeEventsService : public grpc::Service {
 public:
  FakeEventsService(const Config& config, fake_agent::RequestLog& log)
      : config_(config), log_(log) {
    AddMethod(new grpc::internal::RpcServiceMethod(
        fake_agent::kGetEventsPath.data(), grpc::internal::RpcMethod::SERVER_STREAMING,
        new grpc::internal::ServerStreamingHandler<FakeEventsService, grpc::ByteBuffer,
                                                   grpc::ByteBuffer>(
            [](FakeEventsService* self, grpc::ServerContext* context,
               const grpc::ByteBuffer* request, grpc::ServerWriter<grpc::ByteBuffer>* writer) {
              return self->GetEvents(context, request, writer);
            },
            this)));
    // Registered even without --agent-version, to log the request and answer
    // UNIMPLEMENTED in grpc-go's words, as a Tetragon without GetVersion would.
    AddMethod(new grpc::internal::RpcServiceMethod(
        fake_agent::kGetVersionPath.data(),  // a literal: RpcMethod keeps the pointer
        grpc::internal::RpcMethod::NORMAL_RPC,
        new grpc::internal::RpcMethodHandler<FakeEventsService, grpc::ByteBuffer, grpc::ByteBuffer>(
            [](FakeEventsService* self, grpc::ServerContext*, const grpc::ByteBuffer* request,
               grpc::ByteBuffer* response) { return self->GetVersion(request, response); },
            this)));
  }

 private:
  static std::string Bytes(const grpc::ByteBuffer* buffer) {
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (buffer->Dump(&slices).ok()) {
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return bytes;
  }

  grpc::Status GetVersion(const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
    log_.Log("GetVersion", Bytes(request));
    if (!config_.agent_version) {
      return {grpc::StatusCode::UNIMPLEMENTED,
              fake_agent::UnknownMethodMessage(fake_agent::kGetVersionPath)};
    }
    tetragon::GetVersionResponse answer;
    answer.set_version(*config_.agent_version);
    *response = ToBuffer(answer.SerializeAsString());
    return grpc::Status::OK;
  }

  grpc::Status GetEvents(grpc::ServerContext* context, const grpc::ByteBuffer* raw_request,
                         grpc::ServerWriter<grpc::ByteBuffer>* writer) {
    const std::string request_bytes = Bytes(raw_request);
    log_.Log("GetEvents", request_bytes);
    // Filter and project once, then stream the prepared buffers N times.
    bool ok;
    const auto plan = fake_agent::PrepareEvents(request_bytes, config_.events,
                                                fake_agent::ParseCelMode(config_.cel, &ok),
                                                config_.parsed_version);
    if (plan.status != 0) return {grpc::StatusCode(plan.status), plan.message};
    std::vector<grpc::ByteBuffer> prepared;
    for (const std::string& bytes : plan.events) prepared.push_back(ToBuffer(bytes));
    long sent = 0;
    for (long loop = 0; loop < config_.loops; ++loop) {
      for (const grpc::ByteBuffer& buffer : prepared) {
        if (!writer->Write(buffer)) {
          std::cerr << "tetragon-fake: client went away after " << sent << " events\n";
          return grpc::Status::CANCELLED;
        }
        ++sent;
      }
    }
    std::cerr << "tetragon-fake: sent " << sent << " events\n";
    while (config_.idle && !context->IsCancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {grpc::StatusCode(config_.end_code), config_.end_message};
  }

  const Config& config_;
  fake_agent::RequestLog& log_;
};

constexpr const char* kUsage =
    "usage: tetragon-fake --listen ADDR [--replay FILE [FILE...]] [--loop N] [--idle]\n"
    "                     [--end-status CODE[:MESSAGE]] [--cel ignore|evaluate|reject]\n"
    "                     [--agent-version V|none] [--request-log FILE]\n"
    "                     [--goaway-debug TEXT]\n"
    "                     [--fault MODE [--fault-after N] [--fault-connections K]\n"
    "                      [--ping-min-time DURATION]]\n"
    "                     [--raw [--interval MS | --rate N] [--send-log FILE]]\n"
    "A stand-in Tetragon agent for tests, the demo and the bench: serves\n"
    "FineGuidanceSensors.GetEvents on ADDR (unix:PATH or HOST:PORT), replaying the\n"
    "events of FILEs (*.wire.b64 or tetra *.jsonl) as the request asks; --fault\n"
    "modes are listed in tools/fake_agent/raw_server.h. --raw --rate N paces the\n"
    "events at N per second on a fixed schedule (--interval MS: one every MS).\n"
    "  --agent-version V     play Tetragon V (v1.7.0, 1.6.0, v1.6.0-rc.1): GetVersion\n"
    "                        answers V, and Filter fields newer than V are ignored\n"
    "                        (container_name_regex before v1.6.0, namespace_regex\n"
    "                        before v1.7.0, ...). Without it, or with 'none',\n"
    "                        GetVersion is UNIMPLEMENTED and every field is honoured.\n"
    "  --goaway-debug TEXT   the debug data of the GOAWAY that --fault goaway,\n"
    "                        goaway-abrupt and too-many-pings send\n"
    "  V, TEXT and the MESSAGE of --end-status decode \\n \\r \\t \\e \\\\ \\xNN: the\n"
    "  fake can play a hostile agent, whose words hold any bytes.\n"
    "  --request-log FILE    append each GetEvents/GetVersion request to FILE as a\n"
    "                        JSON line: {\"method\":\"GetEvents\",\"request\":{...}}\n"
    "  --ping-min-time D     with --fault too-many-pings, grpc-go's keepalive MinTime\n"
    "                        (default 5m; 300ms, 2s): a PING sooner than D after the\n"
    "                        previous one is a strike, the third strike gets GOAWAY\n"
    "                        ENHANCE_YOUR_CALM \"too_many_pings\"; DATA or HEADERS\n"
    "                        sent since the last PING forgive the next one.\n";

// A value with C escapes decoded (\n \r \t \e \\ \xNN), so that the fake
// can play a hostile agent whose words hold control bytes; any other
// backslash stays as it is.
std::string Unescaped(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char next = text[++i];
    if (next == 'n') {
      out += '\n';
    } else if (next == 'r') {
      out += '\r';
    } else if (next == 't') {
      out += '\t';
    } else if (next == 'e') {
      out += '\x1b';
    } else if (next == '\\') {
      out += '\\';
    } else if (next == 'x' && i + 2 < text.size() && std::isxdigit(uint8_t(text[i + 1])) &&
               std::isxdigit(uint8_t(text[i + 2]))) {
      out += char(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += '\\';
      out += next;
    }
  }
  return out;
}

int Usage(const std::string& why) {
  std::cerr << "tetragon-fake: " << why << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--listen" && has_value) {
      config.listen = argv[++i];
    } else if (arg == "--replay" && has_value) {
      while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
        files.push_back(argv[++i]);
    } else if (arg == "--loop" && has_value) {
      config.loops = std::atol(argv[++i]);
      if (config.loops < 1) return Usage("--loop takes a count >= 1");
    } else if (arg == "--idle") {
      config.idle = true;
    } else if (arg == "--end-status" && has_value) {
      const std::string spec = argv[++i];
      const size_t colon = spec.find(':');
      config.end_code = std::atoi(spec.substr(0, colon).c_str());
      if (colon != std::string::npos) config.end_message = Unescaped(spec.substr(colon + 1));
    } else if (arg == "--fault" && has_value) {
      config.fault = argv[++i];
      if (!fake_agent::IsFaultMode(config.fault))
        return Usage("unknown --fault mode " + config.fault);
    } else if (arg == "--fault-after" && has_value) {
      config.fault_after = std::atol(argv[++i]);
    } else if (arg == "--cel" && has_value) {
      config.cel = argv[++i];
      bool ok;
      fake_agent::ParseCelMode(config.cel, &ok);
      if (!ok) return Usage("--cel takes ignore, evaluate or reject");
    } else if (arg == "--raw") {
      config.fault = "none";  // the hand-driven server, without a fault: faster than grpc++
    } else if (arg == "--interval" && has_value) {
      config.interval_us = std::atol(argv[++i]) * 1000;
      if (config.interval_us <= 0) return Usage("--interval takes milliseconds >= 1");
    } else if (arg == "--rate" && has_value) {
      const long rate = std::atol(argv[++i]);
      if (rate < 1 || rate > 1000000) return Usage("--rate takes events per second, 1 to 1000000");
      config.interval_us = 1000000 / rate;
    } else if (arg == "--send-log" && has_value) {
      config.send_log = argv[++i];
    } else if (arg == "--fault-connections" && has_value) {
      config.fault_connections = std::atol(argv[++i]);
    } else if (arg == "--agent-version" && has_value) {
      const std::string version = Unescaped(argv[++i]);
      config.agent_version.reset();
      config.parsed_version.reset();
      if (version != "none") {
        config.agent_version = version;
        config.parsed_version = fake_agent::ParseAgentVersion(version);
        if (!config.parsed_version) {
          std::cerr << "tetragon-fake: --agent-version '" << version
                    << "' has no MAJOR.MINOR: answered as it is, every Filter field honoured\n";
        }
      }
    } else if (arg == "--goaway-debug" && has_value) {
      config.goaway_debug = Unescaped(argv[++i]);
    } else if (arg == "--request-log" && has_value) {
      config.request_log = argv[++i];
    } else if (arg == "--ping-min-time" && has_value) {
      const auto duration = fake_agent::ParseDuration(argv[++i]);
      if (!duration) return Usage("--ping-min-time takes a duration such as 300ms, 2s or 5m");
      config.ping_min_time = *duration;
    } else {
      return Usage("unexpected argument '" + arg + "'");
    }
  }
  if (config.listen.empty()) return Usage("--listen is required");
  for (const std::string& file : files) {
    std::string error;
    if (!fake_agent::LoadReplayFile(file, &config.events, &error)) {
      std::cerr << "tetragon-fake: " << error << "\n";
      return 1;
    }
  }
  fake_agent::RequestLog request_log;
  std::string error;
  if (!request_log.Open(config.request_log, &error)) {
    std::cerr << "tetragon-fake: " << error << "\n";
    return 1;
  }
  // Shut down cleanly on SIGTERM/SIGINT. Blocked before grpc starts its
  // threads, so they inherit the mask and only sigwait() below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::signal(SIGPIPE, SIG_IGN);  // a client that went away is not the fake's death
  if (!config.fault.empty()) {
    // Faults need a hand-driven HTTP/2 server; it runs beside sigwait() below.
    std::thread([&config, &request_log] {
      std::exit(fake_agent::RunRawServer(config, request_log));
    }).detach();
    int signo = 0;
    sigwait(&signals, &signo);
    return 0;
  }

  FakeEventsService service(config, request_log);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  builder.SetMaxSendMessageSize(64 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    std::cerr << "tetragon-fake: cannot listen on " << config.listen << "\n";
    return 1;
  }
  std::cerr << "tetragon-fake: listening on " << config.listen << " with " << config.events.size()
            << " events\n";

  int signo = 0;
  sigwait(&signals, &signo);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  // grpc 1.51's grpc_shutdown (run by the destructors) sometimes waits ~10 s
  // for its executor after concurrent calls; a stop must not take that long.
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::_Exit(0);
  }).detach();
  return 0;
}

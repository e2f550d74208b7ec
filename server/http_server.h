// HTTP/1.1 for `policy serve`, on Asio with Beast's request parser: event-driven, keep-alive,
// one io_context per thread (a connection stays on one thread for its life, so nothing of it is
// shared and no strand is needed). It knows nothing of policies: each complete request goes to
// a Handler (the DecisionService), whose response it writes.
//
// What a client cannot do to it (docs/server.md, "Limits"):
//  - send a body larger than `max_body_bytes` (413, then the connection closes);
//  - hold a connection with a request it sends slowly: the whole request must arrive within
//    `request_timeout` of its first byte, or the connection closes (counted as a 408), and an
//    idle keep-alive connection closes after `idle_timeout`;
//  - make it wait on a response it does not read: a write must finish within `request_timeout`.
// Stop() is graceful: no new connections; idle connections close; a request being read or
// answered is answered, then its connection closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/http_types.h"

namespace policy::server {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8181;  // 0: any free port (port() tells which)
  unsigned threads = 0;  // 0: one per core
  size_t max_body_bytes = 16u << 20;
  size_t max_header_bytes = 16u << 10;
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  // After Stop(), how long requests in flight may take before the server stops regardless.
  std::chrono::milliseconds shutdown_grace{10'000};
};

class HttpServer {
 public:
  // Binds and listens; null with `*error` set when it cannot (a bad address, the port in use).
  static auto Start(const HttpOptions& options, Handler handler, std::string* error)
      -> std::unique_ptr<HttpServer>;
  ~HttpServer();  // Stop() and Wait()
  HttpServer(const HttpServer&) = delete;
  auto operator=(const HttpServer&) -> HttpServer& = delete;

  auto port() const -> uint16_t;
  auto address() const -> std::string;  // "127.0.0.1:8181"
  // Called when a request is refused before it reaches the handler (413, 408, 400, 431), with
  // the status and code of the answer (for metrics). Set before Run().
  void SetRefusedCallback(std::function<void(int status, std::string_view code)> on_refused);
  // Runs the threads. Returns at once; Wait() blocks until they end.
  void Run();
  // Stops on SIGINT or SIGTERM (for `policy serve`); `on_signal` runs first, on an io thread.
  void StopOnSignals(std::function<void(int)> on_signal);
  void Stop();  // graceful; thread-safe; returns at once
  void Wait();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace policy::server

#include "server/http_server.h"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace policy::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Every I/O object names its io_context's executor type: the polymorphic default
// (any_io_executor) costs a type-erased copy on every operation.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;
using Timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                        net::wait_traits<std::chrono::steady_clock>, Executor>;
using Clock = std::chrono::steady_clock;

class Session;

// What every connection shares: the options, the handler, the io_contexts, and the registry
// Stop() walks.
//
// One io_context per thread, each run by exactly one thread, and a connection lives on one of
// them for its whole life: its handlers never run concurrently, so no strand is needed and
// nothing of a connection is shared between threads.
//
// The order of the members matters: `contexts` is destroyed first, and destroying an
// io_context destroys the handlers still queued, with the sessions they hold, whose destructors
// use the registry. The work guards and the grace timer must go before their io_contexts: the
// destructor releases them.
struct Core {
  HttpOptions options;
  Handler handler;
  std::function<void(int status, std::string_view code)> on_refused;
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;  // guards `sessions` and `grace`
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::optional<Timer> grace;  // set by Stop(); cancelled when the last session ends
  // Keep each io_context's run() going while it has no connection; released by Stop().
  std::vector<std::optional<net::executor_work_guard<Executor>>> guards;
  std::atomic<size_t> next_context{0};
  std::vector<std::unique_ptr<net::io_context>> contexts;

  Core(HttpOptions o, unsigned threads) : options(std::move(o)) {
    for (unsigned i = 0; i < threads; ++i) {
      // Concurrency hint 1: exactly one thread runs it, which lets Asio skip some locking.
      contexts.push_back(std::make_unique<net::io_context>(1));
      guards.emplace_back(net::make_work_guard(contexts.back()->get_executor()));
    }
  }
  ~Core() {
    std::lock_guard lock(sessions_mutex);
    grace.reset();
    guards.clear();
  }

  // The io_context of the next connection: round robin.
  auto NextContext() -> net::io_context& {
    return *contexts[next_context.fetch_add(1, std::memory_order_relaxed) % contexts.size()];
  }

  // How often at most a connection's timer wakes: every deadline a connection sets is at least
  // this far ahead, so a timer armed this far ahead never fires late (Session::SetDeadline).
  auto TimerStep() const -> std::chrono::milliseconds {
    return std::min(options.request_timeout, options.idle_timeout);
  }
};

auto ErrorBody(std::string_view code, std::string_view message) -> std::string {
  nlohmann::ordered_json j;
  j["error"]["code"] = code;
  j["error"]["message"] = message;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One connection: reads a request with Beast's parser fed straight from the socket, hands it
// to the handler, writes the answer, and waits for the next request on the same connection.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, Core& core)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), core_(core) {}

  ~Session() {
    std::lock_guard lock(core_.sessions_mutex);
    core_.sessions.erase(this);
    if (core_.sessions.empty() && core_.grace) {
      // The last connection is done: nothing to wait for. The timer belongs to the first
      // io_context, so it is cancelled there.
      net::post(core_.contexts.front()->get_executor(), [&core = core_] {
        std::lock_guard guard(core.sessions_mutex);
        if (core.grace) {
          core.grace->cancel();
        }
      });
    }
  }

  void Start() {
    {
      std::lock_guard lock(core_.sessions_mutex);
      core_.sessions.emplace(this, weak_from_this());
    }
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  auto get_executor() { return socket_.get_executor(); }

  // Posted by Stop(): an idle connection closes now; a busy one after its answer.
  void StopIfIdle() {
    if (!busy_) {
      Close();
    }
  }

 private:
  // Deadlines. One timer per connection, re-armed lazily: moving the deadline is a store, and
  // the timer, when it wakes, either closes the connection (the deadline has passed) or sleeps
  // again until the deadline or TimerStep(), whichever comes first. Since every deadline set is
  // at least TimerStep() ahead, a timer armed by then is never later than the deadline, and a
  // busy connection costs one wake-up per TimerStep() instead of a timer operation per request.
  void SetDeadline(std::chrono::milliseconds timeout) {
    deadline_ = Clock::now() + timeout;
    if (!timer_armed_) {
      ArmTimer();
    }
  }

  void ArmTimer() {
    timer_armed_ = true;
    timer_.expires_at(std::min(deadline_, Clock::now() + core_.TimerStep()));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      self->timer_armed_ = false;
      if (ec || self->closed_) {
        return;  // cancelled by Close()
      }
      if (Clock::now() < self->deadline_) {
        self->ArmTimer();
        return;
      }
      // Too slow: an idle connection is closed; a request that does not arrive in time is
      // counted as a 408. The close is the answer: the client may still be sending.
      if (self->busy_ && self->core_.on_refused) {
        self->core_.on_refused(408, "S0408");
      }
      self->Close();
    });
  }

  // Idle (between requests): waits up to idle_timeout for the first byte of the next one.
  void WaitForRequest() {
    busy_ = false;
    if (core_.stopping) {
      Close();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_.options.max_header_bytes));
    parser_->body_limit(core_.options.max_body_bytes);
    parser_->eager(true);
    continue_sent_ = false;
    if (buffer_.size() > 0) {  // a pipelined request already arrived
      busy_ = true;
      SetDeadline(core_.options.request_timeout);
      Parse();
      return;
    }
    SetDeadline(core_.options.idle_timeout);
    Read();
  }

  void Read() {
    // Large bodies come in large reads; a request line and headers fit the first.
    const size_t want = parser_->is_header_done() ? 64 * 1024 : 8 * 1024;
    socket_.async_read_some(buffer_.prepare(want),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) {
                                // The client left (mid-request or not: nobody to answer), the deadline passed
                                // (the timer counted it), or the server stops.
                                self->Close();
                                return;
                              }
                              self->buffer_.commit(n);
                              if (!self->busy_) {
                                // From the first byte, the whole request must arrive within request_timeout.
                                self->busy_ = true;
                                self->SetDeadline(self->core_.options.request_timeout);
                              }
                              self->Parse();
                            });
  }

  // Feeds what has arrived to the parser; reads more while the request is incomplete.
  void Parse() {
    while (buffer_.size() > 0) {
      beast::error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec && ec != http::error::need_more) {
        Refuse(ec);
        return;
      }
      if (parser_->is_done()) {
        Answer();
        return;
      }
      if (parser_->is_header_done() && !continue_sent_ &&
          beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
        // curl asks before sending a body over 1 KiB; without an answer it waits a second.
        continue_sent_ = true;
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                         [self = shared_from_this()](beast::error_code wec, size_t) {
                           if (wec) {
                             self->Close();
                             return;
                           }
                           self->Parse();
                         });
        return;
      }
      if (used == 0) {
        break;  // the parser needs more than what is buffered
      }
    }
    Read();
  }

  // A request that could not be read: answered, then closed.
  void Refuse(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      Fail(
          413, "S0413",
          fmt::format("the request body is larger than the limit of {} bytes", core_.options.max_body_bytes));
    } else if (ec == http::error::header_limit) {
      Fail(431, "S0431", "the request's header fields are too large");
    } else {
      Fail(400, "S0400", "malformed HTTP request: " + ec.message());
    }
  }

  void Fail(int status, std::string_view code, std::string_view message) {
    if (core_.on_refused) {
      core_.on_refused(status, code);
    }
    HttpResponse r;
    r.status = status;
    r.body = ErrorBody(code, message);
    Write(std::move(r), 11, false);
  }

  void Answer() {
    auto& request = parser_->get();
    HttpRequest r;
    const auto method = request.method_string();
    const auto target = request.target();
    const auto authorization = request[http::field::authorization];
    r.method = {method.data(), method.size()};
    r.target = {target.data(), target.size()};
    r.authorization = {authorization.data(), authorization.size()};
    r.body = request.body();
    HttpResponse response = core_.handler(r);
    Write(std::move(response), request.version(), request.keep_alive() && !core_.stopping);
  }

  // Writes the status line and header fields by hand into a buffer the connection keeps, and
  // sends them with the body in one gather write.
  void Write(HttpResponse r, unsigned version, bool keep_alive) {
    head_.clear();
    const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(r.status)));
    auto out = std::back_inserter(head_);
    fmt::format_to(out, "HTTP/{}.{} {} {}\r\nServer: policy-serve\r\nContent-Type: {}\r\n", version / 10,
                   version % 10, r.status, std::string_view(reason.data(), reason.size()), r.content_type);
    for (const auto& [name, value] : r.headers) {
      fmt::format_to(out, "{}: {}\r\n", name, value);
    }
    fmt::format_to(out, "Content-Length: {}\r\n", r.body.size());
    if (!keep_alive) {
      head_ += "Connection: close\r\n";
    } else if (version < 11) {
      head_ += "Connection: keep-alive\r\n";  // HTTP/1.0 closes unless told otherwise
    }
    head_ += "\r\n";
    body_ = std::move(r.body);
    busy_ = true;
    SetDeadline(core_.options.request_timeout);  // a client that does not read its answer
    const std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, buffers, [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      if (ec || !keep_alive || self->core_.stopping) {
        self->Close();
        return;
      }
      self->WaitForRequest();
    });
  }

  void Close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
    timer_.cancel();
  }

  Socket socket_;
  Timer timer_;
  Core& core_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_;  // the response's status line and header fields
  std::string body_;  // the response's body
  Clock::time_point deadline_{};
  bool timer_armed_ = false;
  bool busy_ = false;  // from a request's first byte until its answer is written
  bool continue_sent_ = false;
  bool closed_ = false;
};

}  // namespace

struct HttpServer::Impl {
  Core core;
  Acceptor acceptor;
  std::optional<net::signal_set> signals;
  std::vector<std::thread> threads;

  Impl(const HttpOptions& options, unsigned n)
      : core(options, n), acceptor(core.contexts.front()->get_executor()) {}

  void Accept() {
    acceptor.async_accept(core.NextContext(), [this](beast::error_code ec, Socket socket) {
      if (core.stopping || !acceptor.is_open()) {
        return;
      }
      if (!ec) {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // small answers go out at once
        std::make_shared<Session>(std::move(socket), core)->Start();
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Stop();
  Wait();
}

auto HttpServer::Start(const HttpOptions& options, Handler handler, std::string* error)
    -> std::unique_ptr<HttpServer> {
  const unsigned threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  auto impl = std::make_unique<Impl>(options, threads);
  impl->core.handler = std::move(handler);
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    *error = "`" + options.address + "` is not an IP address";
    return nullptr;
  }
  const tcp::endpoint endpoint(address, options.port);
  auto fail = [&](std::string_view what) {
    *error = std::string("cannot ") + std::string(what) + " " + endpoint.address().to_string() + ":" +
             std::to_string(options.port) + ": " + ec.message();
    return nullptr;
  };
  impl->acceptor.open(endpoint.protocol(), ec);
  if (ec) {
    return fail("open a socket for");
  }
  impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  impl->acceptor.bind(endpoint, ec);
  if (ec) {
    return fail("listen on");
  }
  impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail("listen on");
  }
  impl->Accept();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

auto HttpServer::port() const -> uint16_t {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

auto HttpServer::address() const -> std::string {
  beast::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void HttpServer::SetRefusedCallback(std::function<void(int status, std::string_view code)> on_refused) {
  impl_->core.on_refused = std::move(on_refused);
}

void HttpServer::Run() {
  for (auto& context : impl_->core.contexts) {
    impl_->threads.emplace_back([&context] { context->run(); });
  }
}

void HttpServer::StopOnSignals(std::function<void(int)> on_signal) {
  impl_->signals.emplace(*impl_->core.contexts.front(), SIGINT, SIGTERM);
  impl_->signals->async_wait([this, on_signal = std::move(on_signal)](beast::error_code ec, int signal) {
    if (ec) {
      return;  // cancelled by Stop()
    }
    if (on_signal) {
      on_signal(signal);
    }
    Stop();
  });
}

void HttpServer::Stop() {
  Core& core = impl_->core;
  if (core.stopping.exchange(true)) {
    return;
  }
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    if (impl_->signals) {
      impl_->signals->cancel(ignored);
    }
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(core.sessions_mutex);
    for (auto& [raw, weak] : core.sessions) {
      if (auto s = weak.lock()) {
        live.push_back(std::move(s));
      }
    }
    if (!core.sessions.empty()) {
      // Requests in flight get shutdown_grace; then every io_context stops regardless.
      core.grace.emplace(core.contexts.front()->get_executor(), core.options.shutdown_grace);
      core.grace->async_wait([&core](beast::error_code ec) {
        if (!ec) {
          for (auto& context : core.contexts) {
            context->stop();
          }
        }
      });
    }
    // Each io_context's thread ends when its last connection does.
    for (auto& guard : core.guards) {
      guard.reset();
    }
  }
  for (auto& s : live) {
    net::post(s->get_executor(), [s] { s->StopIfIdle(); });
  }
}

void HttpServer::Wait() {
  for (std::thread& t : impl_->threads) {
    if (t.joinable()) {
      t.join();
    }
  }
}

}  // namespace policy::server

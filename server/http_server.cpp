#include "server/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

class Session;

// What every connection shares: the options, the handler, and the registry Stop() walks.
//
// The order of the members matters: `ioc` is destroyed first, and destroying it destroys the
// handlers still queued, with the sessions they hold, whose destructors use the registry.
struct Core {
  HttpOptions options;
  Handler handler;
  std::function<void(int status, std::string_view code)> on_refused;
  std::atomic<bool> stopping{false};
  std::mutex sessions_mutex;  // guards `sessions` and `grace`
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::optional<net::steady_timer> grace;  // set by Stop(); cancelled when the last session ends
  net::io_context ioc;

  explicit Core(HttpOptions o) : options(std::move(o)) {}
  ~Core() {
    std::lock_guard lock(sessions_mutex);
    grace.reset();  // a timer must go before its io_context
  }
};

auto View(beast::string_view s) -> std::string_view {
  return {s.data(), s.size()};
}

auto ErrorBody(std::string_view code, std::string_view message) -> std::string {
  nlohmann::ordered_json j;
  j["error"]["code"] = code;
  j["error"]["message"] = message;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One connection. Every handler runs on the connection's strand, so nothing here is shared
// between threads but `core_`.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Core& core) : stream_(std::move(socket)), core_(core) {}

  ~Session() {
    std::lock_guard lock(core_.sessions_mutex);
    core_.sessions.erase(this);
    if (core_.sessions.empty() && core_.grace) {
      core_.grace->cancel();  // the last connection is done: nothing to wait for
    }
  }

  void Start() {
    {
      std::lock_guard lock(core_.sessions_mutex);
      core_.sessions.emplace(this, weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  auto get_executor() { return stream_.get_executor(); }

  // Posted by Stop(): an idle connection closes now; a busy one after its answer.
  void StopIfIdle() {
    if (!busy_) {
      Close();
    }
  }

 private:
  // Idle (between requests): waits up to idle_timeout for the first byte of the next one.
  void WaitForRequest() {
    busy_ = false;
    if (core_.stopping) {
      Close();
      return;
    }
    if (buffer_.size() > 0) {  // a pipelined request already arrived
      ReadHeader();
      return;
    }
    stream_.expires_after(core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) {
                                self->Close();  // the client left, the idle time ran out, or the server stops
                                return;
                              }
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  // From the first byte, the whole request must arrive within request_timeout.
  void ReadHeader() {
    busy_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(core_.options.max_header_bytes));
    parser_->body_limit(core_.options.max_body_bytes);
    stream_.expires_after(core_.options.request_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) {
            self->Refuse(ec);
            return;
          }
          const auto& request = self->parser_->get();
          if (beast::iequals(request[http::field::expect], "100-continue") && !self->parser_->is_done()) {
            // curl asks before sending a body over 1 KiB; without an answer it waits a second.
            self->continue_.version(11);
            self->continue_.result(http::status::continue_);
            http::async_write(self->stream_, self->continue_, [self](beast::error_code wec, size_t) {
              if (wec) {
                self->Close();
                return;
              }
              self->ReadBody();
            });
            return;
          }
          self->ReadBody();
        });
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->Refuse(ec);
        return;
      }
      self->Answer();
    });
  }

  // A request that could not be read: answered when the client can still hear it, then closed.
  void Refuse(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      Fail(413, "S0413", fmt_body_limit());
    } else if (ec == beast::error::timeout) {
      // The stream has closed the socket already (Beast does on a timeout), so there is no
      // answer to write; the close is the answer. Counted as a 408.
      if (core_.on_refused) {
        core_.on_refused(408, "S0408");
      }
      Close();
    } else if (ec == http::error::header_limit) {
      Fail(431, "S0431", "the request's header fields are too large");
    } else if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      Fail(400, "S0400", std::string("malformed HTTP request: ") + ec.message());
    } else {
      Close();  // the client went away or the socket failed: nobody to answer
    }
  }

  auto fmt_body_limit() const -> std::string {
    return "the request body is larger than the limit of " + std::to_string(core_.options.max_body_bytes) +
           " bytes";
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
    const auto& request = parser_->get();
    HttpRequest r;
    r.method = View(request.method_string());
    r.target = View(request.target());
    r.authorization = View(request[http::field::authorization]);
    r.body = request.body();
    HttpResponse response = core_.handler(r);
    Write(std::move(response), request.version(), request.keep_alive() && !core_.stopping);
  }

  void Write(HttpResponse r, unsigned version, bool keep_alive) {
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(http::field::server, "policy-serve");
    response_.set(http::field::content_type,
                  beast::string_view(r.content_type.data(), r.content_type.size()));
    for (auto& [name, value] : r.headers) {
      response_.set(name, value);
    }
    response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(core_.options.request_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive || self->core_.stopping) {
                          self->Close();
                          return;
                        }
                        self->parser_.reset();
                        self->WaitForRequest();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  http::response<http::empty_body> continue_;
  Core& core_;
  bool busy_ = false;  // from a request's first byte until its answer is written
};

}  // namespace

struct HttpServer::Impl {
  Core core;
  tcp::acceptor acceptor;
  std::optional<net::signal_set> signals;
  std::vector<std::thread> threads;

  explicit Impl(const HttpOptions& options) : core(options), acceptor(net::make_strand(core.ioc)) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(core.ioc), [this](beast::error_code ec, tcp::socket socket) {
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
  auto impl = std::make_unique<Impl>(options);
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
  unsigned n = impl_->core.options.threads;
  if (n == 0) {
    n = std::max(1u, std::thread::hardware_concurrency());
  }
  for (unsigned i = 0; i < n; ++i) {
    impl_->threads.emplace_back([this] { impl_->core.ioc.run(); });
  }
}

void HttpServer::StopOnSignals(std::function<void(int)> on_signal) {
  impl_->signals.emplace(impl_->core.ioc, SIGINT, SIGTERM);
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
      // Requests in flight get shutdown_grace; then the io_context stops regardless.
      core.grace.emplace(core.ioc, core.options.shutdown_grace);
      core.grace->async_wait([&core](beast::error_code ec) {
        if (!ec) {
          core.ioc.stop();
        }
      });
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

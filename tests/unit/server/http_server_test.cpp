// The HTTP layer on real sockets: keep-alive, limits, slow and broken clients, graceful stop,
// concurrent clients (this binary also runs under ThreadSanitizer: scripts/test.sh --tsan), and
// hot reload under load, end to end through `policy serve`'s parts.
#include "server/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "server/decision_service.h"
#include "tests/unit/server/server_test_support.h"

namespace policy::server {
namespace {

using namespace std::chrono_literals;
using testing::Client;
using testing::SmallPolicy;
using testing::TempDir;
using testing::WriteAtomically;

// An echo handler: the body back, after `delay` when the target is /slow.
auto Echo(std::chrono::milliseconds delay = 0ms) -> Handler {
  return [delay](const HttpRequest& r) {
    if (r.target == "/slow") {
      std::this_thread::sleep_for(delay);
    }
    HttpResponse response;
    response.body = std::string(r.method) + " " + std::string(r.target) + " " + std::string(r.body);
    response.content_type = "text/plain";
    return response;
  };
}

auto StartServer(HttpOptions options, Handler handler) -> std::unique_ptr<HttpServer> {
  options.port = 0;
  std::string error;
  auto server = HttpServer::Start(options, std::move(handler), &error);
  EXPECT_TRUE(server) << error;
  if (server) {
    server->Run();
  }
  return server;
}

TEST(HttpServerTest, KeepAliveAnswersManyRequestsOnOneConnection) {
  auto server = StartServer({}, Echo());
  Client client(server->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 20; ++i) {
    auto r = client.Request("POST", "/x", "body " + std::to_string(i));
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /x body " + std::to_string(i));
  }
  // Two requests sent at once (pipelined) are answered in order.
  ASSERT_TRUE(client.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(client.Read()->body, "GET /a ");
  EXPECT_EQ(client.Read()->body, "GET /b ");
}

// The status line and header fields are written by hand (http_server.cpp), so what HTTP says
// of keep-alive is checked here: HTTP/1.1 stays open unless told to close, HTTP/1.0 closes
// unless told to stay, and each answer says which.
TEST(HttpServerTest, ConnectionHeadersFollowTheHttpVersion) {
  auto server = StartServer({}, Echo());
  {
    Client client(server->port());
    ASSERT_TRUE(client.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = client.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("Connection"), "keep-alive");
    EXPECT_EQ(r->Header("Content-Length"), "7");
    ASSERT_TRUE(client.Send("GET /b HTTP/1.0\r\n\r\n"));
    r = client.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "GET /b ");
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE(client.Closed());
  }
  Client client(server->port());
  ASSERT_TRUE(client.Send("GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /c ");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(r->Header("Server"), "policy-serve");
  EXPECT_TRUE(client.Closed());
}

// A body sent in chunks (Transfer-Encoding: chunked) reaches the handler whole.
TEST(HttpServerTest, AChunkedBodyIsReassembled) {
  auto server = StartServer({}, Echo());
  Client client(server->port());
  ASSERT_TRUE(
      client.Send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /c hello world");
}

// A body far larger than one read arrives in many reads, each fed to the parser as it comes.
TEST(HttpServerTest, ALargeBodyArrivesWhole) {
  auto server = StartServer({}, Echo());
  Client client(server->port());
  std::string body;
  for (int i = 0; body.size() < 300'000; ++i) {
    body += std::to_string(i) + ",";
  }
  auto r = client.Request("POST", "/big", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /big " + body);
  EXPECT_EQ(client.Request("POST", "/after", "x")->body, "POST /after x");  // still in step
}

TEST(HttpServerTest, ABodyOverTheLimitIs413AndTheConnectionCloses) {
  HttpOptions options;
  options.max_body_bytes = 1000;
  auto server = StartServer(options, Echo());
  {
    Client client(server->port());
    auto r = client.Request("POST", "/x", std::string(1001, 'a'));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_NE(r->body.find("S0413"), std::string::npos);
    EXPECT_TRUE(client.Closed());
  }
  Client client(server->port());
  EXPECT_EQ(client.Request("POST", "/x", std::string(1000, 'a'))->status, 200);
}

TEST(HttpServerTest, MalformedRequestsAre400) {
  auto server = StartServer({}, Echo());
  for (const std::string& bad :
       {std::string("NOT HTTP AT ALL\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n")}) {
    Client client(server->port());
    ASSERT_TRUE(client.Send(bad));
    auto r = client.Read();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_TRUE(client.Closed());
  }
  Client huge(server->port());
  ASSERT_TRUE(huge.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"));
  auto r = huge.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST(HttpServerTest, ASlowClientIsCutOffAndHoldsNoWorker) {
  HttpOptions options;
  options.threads = 1;  // one worker: were it held by the slow client, the fast one would wait
  options.request_timeout = 600ms;
  auto server = StartServer(options, Echo());
  Client slow(server->port());
  std::atomic<bool> cut_off{false};
  std::thread trickle([&] {
    const std::string request =
        "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'a');
    for (char c : request) {
      if (!slow.Send(std::string(1, c))) {
        break;
      }
      std::this_thread::sleep_for(50ms);
      if (cut_off) {
        break;
      }
    }
  });
  // Meanwhile the one worker answers others at once.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    Client fast(server->port());
    auto r = fast.Request("GET", "/fast");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  const auto slow_start = std::chrono::steady_clock::now();
  EXPECT_FALSE(slow.Read().has_value());  // closed when the request timeout runs out, unanswered
  EXPECT_LT(std::chrono::steady_clock::now() - slow_start, 3s);
  cut_off = true;
  trickle.join();
}

TEST(HttpServerTest, AnIdleConnectionClosesAfterTheIdleTimeout) {
  HttpOptions options;
  options.idle_timeout = 300ms;
  auto server = StartServer(options, Echo());
  Client client(server->port());
  ASSERT_TRUE(client.Request("GET", "/x"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.Closed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(HttpServerTest, Expect100ContinueIsAnswered) {
  auto server = StartServer({}, Echo());
  Client client(server->port());
  ASSERT_TRUE(
      client.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST /x hello");
}

TEST(HttpServerTest, StopFinishesRequestsInFlightAndClosesIdleConnections) {
  HttpOptions options;
  options.threads = 2;
  auto server = StartServer(options, Echo(400ms));
  Client idle(server->port());
  ASSERT_TRUE(idle.Request("GET", "/x"));
  Client busy(server->port());
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(100ms);  // the slow request is being handled
  server->Stop();
  auto r = busy.Read();
  ASSERT_TRUE(r);  // answered, not dropped
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(busy.Closed());
  EXPECT_TRUE(idle.Closed());
  server->Wait();  // returns: nothing is left running
  Client late(server->port());
  EXPECT_FALSE(late.connected() && late.Request("GET", "/x").has_value());
}

TEST(HttpServerTest, ConcurrentClientsGetTheirOwnAnswers) {
  HttpOptions options;
  options.threads = 4;
  auto server = StartServer(options, Echo());
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      Client client(server->port());
      for (int i = 0; i < 200; ++i) {
        const std::string body = std::to_string(t) + ":" + std::to_string(i);
        auto r = client.Request("POST", "/c", body);
        if (!r || r->body != "POST /c " + body) {
          ++wrong;
        }
      }
    });
  }
  for (auto& c : clients) {
    c.join();
  }
  EXPECT_EQ(wrong, 0);
}

// The promise, end to end: under load, a good edit and a broken edit of the policies;
// no request fails, each answer comes from one version (its revision header and its value agree),
// and the broken version is never served.
TEST(HttpServerTest, HotReloadUnderLoadLosesNothingAndNeverServesABrokenVersion) {
  TempDir dir("reload-load");
  const auto file = dir.path() / "t.policy";
  WriteAtomically(file, SmallPolicy(20));
  api::ReloadOptions reload;
  reload.debounce = 20ms;
  auto live = api::LivePolicySet::Start({dir.path().string()}, reload);
  ASSERT_TRUE(live.ok()) << live.error().message;
  Metrics metrics;
  ServiceOptions service_options;
  service_options.today = "2025-09-01";
  DecisionService service(service_options, **live, metrics, nullptr);
  HttpOptions options;
  options.threads = 2;
  auto server = StartServer(options, [&service](const HttpRequest& r) { return service.Handle(r); });

  std::map<std::string, int> limit_of_revision;  // what each good revision answers
  limit_of_revision[(*live)->current().revision()] = 20;
  std::mutex seen_mutex;
  std::set<std::string> revisions_seen;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int> answered{0};
  std::vector<std::string> problems;
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      Client client(server->port());
      while (!done) {
        auto r = client.Request("POST", "/v1/decisions/t.limit", "{\"input\": {\"hours\": 1}}");
        if (!r || r->status != 200) {
          ++failures;
          std::lock_guard lock(seen_mutex);
          problems.push_back(r ? r->body : "no answer");
          continue;
        }
        ++answered;
        const int value = nlohmann::json::parse(r->body)["value"].get<int>();
        std::lock_guard lock(seen_mutex);
        revisions_seen.insert(r->Header("Policy-Revision") + "=" + std::to_string(value));
      }
    });
  }
  auto wait_for_generation = [&](uint64_t generation) {
    for (int i = 0; i < 200 && (*live)->generation() < generation; ++i) {
      std::this_thread::sleep_for(20ms);
    }
    return (*live)->generation() >= generation;
  };
  std::this_thread::sleep_for(200ms);
  WriteAtomically(file, SmallPolicy(25));
  ASSERT_TRUE(wait_for_generation(2));
  limit_of_revision[(*live)->current().revision()] = 25;
  std::this_thread::sleep_for(200ms);
  WriteAtomically(file, SmallPolicy(99, /*broken=*/true));  // refused: it does not compile
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ((*live)->generation(), 2u);
  EXPECT_TRUE((*live)->last_error().has_value());
  WriteAtomically(file, SmallPolicy(30));
  ASSERT_TRUE(wait_for_generation(3));
  limit_of_revision[(*live)->current().revision()] = 30;
  std::this_thread::sleep_for(200ms);
  done = true;
  for (auto& c : clients) {
    c.join();
  }
  EXPECT_EQ(failures, 0) << (problems.empty() ? "" : problems.front());
  EXPECT_GT(answered, 30);
  for (const std::string& seen : revisions_seen) {
    const std::string revision = seen.substr(0, seen.find('='));
    const int value = std::stoi(seen.substr(seen.find('=') + 1));
    ASSERT_TRUE(limit_of_revision.count(revision)) << "an answer from an unknown revision: " << seen;
    EXPECT_EQ(limit_of_revision[revision], value) << "a revision answered with another's value: " << seen;
    EXPECT_NE(value, 99);
  }
  EXPECT_GE(revisions_seen.size(), 2u);  // the load really spanned the reloads
  const std::string m = metrics.Render((*live)->current().revision(), (*live)->generation());
  EXPECT_NE(m.find("policy_generation 3"), std::string::npos);
}

}  // namespace
}  // namespace policy::server

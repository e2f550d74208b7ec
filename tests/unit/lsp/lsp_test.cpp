// The language server's parts (lsp/): message framing, positions in each encoding, URIs, and the
// server in-process on the bundled policies (lint on the calling thread, so the order of what it
// sends is fixed). tests/lsp/client_test.mjs drives the real binary through a real client.
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "lsp/json_rpc.h"
#include "lsp/server.h"
#include "lsp/text_positions.h"
#include "lsp/uri.h"

namespace policy::lsp {
namespace {

namespace fs = std::filesystem;

// ---- framing -------------------------------------------------------------------------------

TEST(FramerTest, SplitsMessagesWhereverTheBytesBreak) {
  const std::string stream =
      FrameMessage(R"({"a":1})") + "content-length: 7\r\nContent-Type: x\r\n\r\n{\"b\":2}";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    MessageFramer framer;
    std::vector<std::string> bodies;
    framer.Feed(std::string_view(stream).substr(0, cut));
    while (auto f = framer.Next()) {
      bodies.push_back(f->body);
    }
    framer.Feed(std::string_view(stream).substr(cut));
    while (auto f = framer.Next()) {
      ASSERT_EQ(f->kind, Frame::Kind::kMessage);
      bodies.push_back(f->body);
    }
    EXPECT_EQ(bodies, (std::vector<std::string>{R"({"a":1})", R"({"b":2})"})) << "cut at " << cut;
    EXPECT_EQ(framer.pending(), 0u);
  }
}

TEST(FramerTest, ABrokenHeaderEndsTheStream) {
  for (const std::string bad :
       {"Content-Length: abc\r\n\r\n", "X-Other: 1\r\n\r\n{}", "no colon here\r\n\r\n",
        "Content-Length: 99999999999\r\n\r\n", "Content-Length: -1\r\n\r\n"}) {
    MessageFramer framer;
    framer.Feed(bad);
    const auto f = framer.Next();
    ASSERT_TRUE(f.has_value()) << bad;
    EXPECT_EQ(f->kind, Frame::Kind::kError) << bad;
    EXPECT_FALSE(framer.Next().has_value());  // and stays failed
  }
  MessageFramer endless;
  endless.Feed(std::string(10000, 'x'));
  const auto f = endless.Next();
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, Frame::Kind::kError);
}

// ---- positions -----------------------------------------------------------------------------

TEST(PositionsTest, CountsInTheNegotiatedEncoding) {
  // `申` is 3 bytes and one UTF-16 unit; `𝔸` is 4 bytes and two UTF-16 units (a surrogate pair).
  const std::string text = "ab\n申𝔸x\r\nlast";
  const LineIndex lines(text);
  const uint32_t x = static_cast<uint32_t>(text.find('x'));
  EXPECT_EQ(lines.PositionAt(x, PositionEncoding::kUtf16), (Position{1, 3}));
  EXPECT_EQ(lines.PositionAt(x, PositionEncoding::kUtf8), (Position{1, 7}));
  EXPECT_EQ(lines.PositionAt(x, PositionEncoding::kUtf32), (Position{1, 2}));
  EXPECT_EQ(lines.OffsetAt({1, 3}, PositionEncoding::kUtf16), x);
  EXPECT_EQ(lines.OffsetAt({1, 7}, PositionEncoding::kUtf8), x);
  // Past the end of a line: its end, before the CR of a CRLF. Past the last line: the end.
  EXPECT_EQ(lines.OffsetAt({1, 99}, PositionEncoding::kUtf16), x + 1);
  EXPECT_EQ(lines.OffsetAt({9, 0}, PositionEncoding::kUtf16), text.size());
  EXPECT_EQ(lines.PositionAt(static_cast<uint32_t>(text.size()) + 5, PositionEncoding::kUtf16),
            (Position{2, 4}));
  // Invalid UTF-8 counts one unit per byte rather than derailing the count.
  const std::string bad =
      "\xff\xfe"
      "a";
  EXPECT_EQ(LineIndex(bad).PositionAt(2, PositionEncoding::kUtf16), (Position{0, 2}));
}

TEST(PositionsTest, AppliesIncrementalEdits) {
  std::string text = "module a\nconst x = 1\n";
  ApplyEdit(text, {{1, 10}, {1, 11}}, "42", PositionEncoding::kUtf16);
  EXPECT_EQ(text, "module a\nconst x = 42\n");
  ApplyEdit(text, {{1, 0}, {2, 0}}, "", PositionEncoding::kUtf16);
  EXPECT_EQ(text, "module a\n");
  ApplyEdit(text, {{5, 0}, {5, 0}}, "// end\n", PositionEncoding::kUtf16);  // past the end: appends
  EXPECT_EQ(text, "module a\n// end\n");
}

TEST(UriTest, PathsRoundTrip) {
  EXPECT_EQ(UriToPath("file:///tmp/a%20b/%E7%94%B3.policy"), "/tmp/a b/申.policy");
  EXPECT_EQ(PathToUri("/tmp/a b/申.policy"), "file:///tmp/a%20b/%E7%94%B3.policy");
  EXPECT_EQ(UriToPath(PathToUri("/x/[weird]#?.policy")), "/x/[weird]#?.policy");
  EXPECT_EQ(UriToPath("file://localhost/etc/x"), "/etc/x");
  EXPECT_EQ(UriToPath("untitled:Untitled-1"), "untitled:Untitled-1");
  EXPECT_EQ(UriToPath("file:///bad%zz%2"), "/bad%zz%2");
}

// ---- the server in-process -----------------------------------------------------------------

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.paths = {fs::path(POLICY_SOURCE_DIR) / "policies"};
    options.today = Date::Parse("2025-09-01");
    options.lint_delay = std::chrono::milliseconds(0);
    options.synchronous_lint = true;
    server_ = std::make_unique<Server>(
        options, [this](const std::string& body) { sent_.push_back(nlohmann::json::parse(body)); });
    path_ =
        (fs::path(POLICY_SOURCE_DIR) / "policies" / "hk" / "employment.policy").lexically_normal().string();
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    text_ = s.str();
  }

  auto Call(const std::string& method, nlohmann::json params) -> nlohmann::json {
    sent_.clear();
    server_->Handle(
        nlohmann::json{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}}.dump());
    for (const auto& m : sent_) {
      if (m.contains("id") && m["id"] == id_) {
        return m;
      }
    }
    ADD_FAILURE() << "no answer to " << method;
    return {};
  }
  void Tell(const std::string& method, nlohmann::json params) {
    server_->Handle(nlohmann::json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}.dump());
  }
  void Initialize() {
    Call("initialize", {{"capabilities", nlohmann::json::object()}});
    Tell("initialized", nlohmann::json::object());
  }
  // The diagnostics published for the document after the pending work (check, then lint).
  auto DiagnosticsAfterTick() -> std::optional<nlohmann::json> {
    sent_.clear();
    server_->Tick();
    std::optional<nlohmann::json> out;
    for (const auto& m : sent_) {
      if (m.value("method", "") == "textDocument/publishDiagnostics" &&
          m["params"]["uri"] == PathToUri(path_)) {
        out = m["params"]["diagnostics"];
      }
    }
    return out;
  }
  void Open(const std::string& text) {
    Tell("textDocument/didOpen",
         {{"textDocument",
           {{"uri", PathToUri(path_)}, {"languageId", "policy"}, {"version", 1}, {"text", text}}}});
  }
  void Change(const std::string& text) {
    Tell("textDocument/didChange", {{"textDocument", {{"uri", PathToUri(path_)}, {"version", 2}}},
                                    {"contentChanges", {{{"text", text}}}}});
  }

  std::unique_ptr<Server> server_;
  std::vector<nlohmann::json> sent_;
  int id_ = 0;
  std::string path_;
  std::string text_;
};

TEST_F(ServerTest, RequestsBeforeInitializeAreRefused) {
  const auto answer = Call("textDocument/hover", nlohmann::json::object());
  EXPECT_EQ(answer["error"]["code"], -32002);
}

TEST_F(ServerTest, MalformedMessagesGetErrorsNotCrashes) {
  Initialize();
  sent_.clear();
  server_->Handle("{not json");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0]["error"]["code"], -32700);
  EXPECT_TRUE(sent_[0]["id"].is_null());
  sent_.clear();
  server_->Handle("[1, 2]");
  EXPECT_EQ(sent_.at(0)["error"]["code"], -32600);
  sent_.clear();
  server_->Handle(
      std::string("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":"
                  "{\"uri\":\"file:///x.policy\",\"text\":\"\xff\xfe\"}}}"));
  EXPECT_EQ(sent_.at(0)["error"]["code"], -32700);  // invalid UTF-8 is not JSON
  EXPECT_EQ(Call("textDocument/definition", {{"textDocument", 3}})["error"]["code"], -32602);
  EXPECT_EQ(Call("textDocument/nothing", nlohmann::json::object())["error"]["code"], -32601);
  // Positions that are no line numbers: refused, never cast (1e300 to an integer is undefined).
  for (const auto& bad : {nlohmann::json(-1), nlohmann::json(1e300), nlohmann::json(4294967296LL),
                          nlohmann::json("3"), nlohmann::json(2.5)}) {
    const auto answer = Call("textDocument/hover", {{"textDocument", {{"uri", "file:///x.policy"}}},
                                                    {"position", {{"line", bad}, {"character", 0}}}});
    EXPECT_EQ(answer["error"]["code"], -32602) << bad.dump();
  }
  // A notification with bad params is logged, not answered.
  sent_.clear();
  Tell("textDocument/didChange",
       {{"textDocument", {{"uri", "file:///never/opened.policy"}}}, {"contentChanges", {}}});
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0]["method"], "window/logMessage");
}

TEST_F(ServerTest, DiagnosticsFollowTheEditsAndLintFollowsThem) {
  Initialize();
  Open(text_);
  auto first = DiagnosticsAfterTick();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->empty());
  // Half-typed: a syntax error, then requests still answered.
  const std::string half = text_ + "\ndecision broken(c: Case) -> \n";
  Change(half);
  auto syntax = DiagnosticsAfterTick();
  ASSERT_TRUE(syntax.has_value());
  ASSERT_FALSE(syntax->empty());
  EXPECT_EQ((*syntax)[0]["code"], "E0102");
  const auto hover = Call("textDocument/hover", {{"textDocument", {{"uri", PathToUri(path_)}}},
                                                 {"position", {{"line", 0}, {"character", 0}}}});
  EXPECT_FALSE(hover.contains("error"));
  const auto completion = Call("textDocument/completion", {{"textDocument", {{"uri", PathToUri(path_)}}},
                                                           {"position", {{"line", 9999}, {"character", 0}}}});
  EXPECT_FALSE(completion["result"]["items"].empty());
  // Fixed, plus an unused function: lint's W0101 arrives with the same tick (synchronous lint).
  Change(text_ + "\ndef unused_helper(x: Int) -> Int = x\n");
  server_->Tick();
  auto lint = DiagnosticsAfterTick();
  ASSERT_TRUE(lint.has_value());
  ASSERT_EQ(lint->size(), 1u);
  EXPECT_EQ((*lint)[0]["code"], "W0101");
  EXPECT_EQ((*lint)[0]["tags"], nlohmann::json::array({1}));
}

// Issue 34: a diagnostic with a likely fix offers it as a quick fix. The fix travels in the
// diagnostic's `data`; the code action is exactly the edit the help line describes, and applying
// it leaves a file that checks.
auto ApplyFix(std::string text, const nlohmann::json& edit) -> std::string {
  const auto pos = [](const nlohmann::json& p) {
    return Position{p["line"].get<uint32_t>(), p["character"].get<uint32_t>()};
  };
  ApplyEdit(text, Range{pos(edit["range"]["start"]), pos(edit["range"]["end"])},
            edit["newText"].get<std::string>(), PositionEncoding::kUtf16);
  return text;
}

TEST_F(ServerTest, FixesAreOfferedAsQuickFixesThatCheck) {
  const auto init = Call("initialize", {{"capabilities", nlohmann::json::object()}});
  EXPECT_EQ(init["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"],
            nlohmann::json::array({"quickfix"}));
  Tell("initialized", nlohmann::json::object());
  const auto fix_of = [&](const std::string& text, const std::string& code) -> std::string {
    Change(text);
    const auto diagnostics = DiagnosticsAfterTick();
    EXPECT_TRUE(diagnostics.has_value());
    for (const auto& d : diagnostics.value_or(nlohmann::json::array())) {
      if (d["code"] != code) {
        continue;
      }
      const auto answer =
          Call("textDocument/codeAction", {{"textDocument", {{"uri", PathToUri(path_)}}},
                                           {"range", d["range"]},
                                           {"context", {{"diagnostics", nlohmann::json::array({d})}}}});
      const auto& actions = answer["result"];
      EXPECT_EQ(actions.size(), 1u) << actions.dump();
      if (actions.empty()) {
        return text;
      }
      EXPECT_EQ(actions[0]["kind"], "quickfix");
      const auto& edits = actions[0]["edit"]["changes"][PathToUri(path_)];
      EXPECT_EQ(edits.size(), 1u);
      return ApplyFix(text, edits[0]);
    }
    ADD_FAILURE() << "no " << code << " in " << diagnostics.value_or(nlohmann::json()).dump();
    return text;
  };
  Open(text_);
  (void)DiagnosticsAfterTick();
  // E0203: a misspelt field, replaced by the field the help names.
  std::string typo = text_;
  typo.replace(typo.find("c.exchange.is_exchange_student"), 30, "c.exchange.is_exchang_student");
  EXPECT_EQ(fix_of(typo, "E0203"), text_);
  // E0407: a second value that overlaps the first; the fix ends the first the day before.
  std::string overlap = text_;
  const size_t at = overlap.find("  value 20 effective from 2014-03-17\n");
  ASSERT_NE(at, std::string::npos);
  overlap.insert(at + std::string("  value 20 effective from 2014-03-17\n").size(),
                 "  value 24 effective from 2027-01-01\n");
  const std::string fixed = fix_of(overlap, "E0407");
  EXPECT_NE(
      fixed.find(
          "  value 20 effective from 2014-03-17 until 2026-12-31\n  value 24 effective from 2027-01-01"),
      std::string::npos)
      << fixed;
  Change(fixed);
  const auto after = DiagnosticsAfterTick();
  ASSERT_TRUE(after.has_value());
  for (const auto& d : *after) {
    EXPECT_NE(d["severity"], 1) << d.dump();  // no error left
  }
  // A request whose diagnostics carry no fix, or a mangled one, gets no action.
  EXPECT_TRUE(Call("textDocument/codeAction",
                   {{"context", {{"diagnostics", {{{"data", {{"fixes", {{{"title", 3}}}}}}}}}}}})["result"]
                  .empty());
  EXPECT_TRUE(Call("textDocument/codeAction", nlohmann::json::object())["result"].empty());
}

TEST_F(ServerTest, AFileOverTheSizeLimitIsADiagnostic) {
  Initialize();
  Open("module hk.employment\n" + std::string(4 * 1024 * 1024 + 1, ' '));
  const auto d = DiagnosticsAfterTick();
  ASSERT_TRUE(d.has_value());
  ASSERT_FALSE(d->empty());
  EXPECT_NE((*d)[0]["message"].get<std::string>().find("limit"), std::string::npos) << d->dump();
}

TEST_F(ServerTest, ShutdownThenExit) {
  Initialize();
  EXPECT_TRUE(Call("shutdown", nullptr)["result"].is_null());
  EXPECT_EQ(Call("textDocument/hover", nlohmann::json::object())["error"]["code"], -32600);
  Tell("exit", nullptr);
  EXPECT_EQ(server_->exit_code(), 0);
}

// ---- the loop on file descriptors: a client that breaks the stream or goes away -------------

auto RunOn(const std::string& input) -> int {
  int in[2];
  int out[2];
  EXPECT_EQ(pipe(in), 0);
  EXPECT_EQ(pipe(out), 0);
  EXPECT_EQ(write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(in[1]);
  ServerOptions options;
  options.paths = {fs::path(POLICY_SOURCE_DIR) / "policies"};
  const int code = RunLanguageServer(options, in[0], out[1]);
  close(out[1]);
  close(out[0]);
  // in[0] stays open: the detached reader may still be returning from its last read.
  return code;
}

TEST(LoopTest, AClientThatVanishesOrSendsGarbageEndsTheServerCleanly) {
  const std::string init = FrameMessage(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  EXPECT_EQ(RunOn(init + "Content-Length: 50\r\n\r\n{\"jsonrpc\""), 1);  // cut off mid-message
  EXPECT_EQ(RunOn(init + "Content-Length: zzz\r\n\r\n{}"), 1);           // garbage header
  EXPECT_EQ(RunOn(init + FrameMessage(R"({"jsonrpc":"2.0","id":2,"method":"shutdown"})") +
                  FrameMessage(R"({"jsonrpc":"2.0","method":"exit"})")),
            0);
}

// Lint on its own thread while edits keep arriving on the main one (also run under
// ThreadSanitizer by scripts/test.sh --tsan): the client writes in bursts with pauses long enough
// for lint to start, and must see lint's warning published before it says goodbye.
TEST(LoopTest, LintRunsOnItsOwnThreadWhileEditsArrive) {
  int in[2];
  int out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  const std::string path =
      (fs::path(POLICY_SOURCE_DIR) / "policies" / "hk" / "employment.policy").lexically_normal().string();
  std::ifstream file(path);
  std::stringstream s;
  s << file.rdbuf();
  const std::string text = s.str();
  const std::string uri = PathToUri(path);
  std::mutex mutex;
  std::condition_variable linted;
  std::string received;
  std::thread client([&]() {
    const auto send = [&](const nlohmann::json& m) {
      const std::string framed = FrameMessage(m.dump());
      EXPECT_EQ(write(in[1], framed.data(), framed.size()), static_cast<ssize_t>(framed.size()));
    };
    send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", {{"capabilities", nullptr}}}});
    send({{"jsonrpc", "2.0"},
          {"method", "textDocument/didOpen"},
          {"params",
           {{"textDocument", {{"uri", uri}, {"languageId", "policy"}, {"version", 1}, {"text", text}}}}}});
    for (int round = 0; round < 3; ++round) {
      for (int k = 0; k < 5; ++k) {
        const std::string edited =
            text + "\ndef unused_" + std::to_string(round * 10 + k) + "(x: Int) -> Int = x\n";
        send({{"jsonrpc", "2.0"},
              {"method", "textDocument/didChange"},
              {"params",
               {{"textDocument", {{"uri", uri}, {"version", 2 + round * 10 + k}}},
                {"contentChanges", {{{"text", edited}}}}}}});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
    }
    // Until lint's warning about the last text arrives (sanitizer builds are slow: a generous
    // bound, not a timing assumption).
    {
      std::unique_lock<std::mutex> lock(mutex);
      linted.wait_for(lock, std::chrono::seconds(120),
                      [&] { return received.find("unused_24` is never used") != std::string::npos; });
    }
    send({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "shutdown"}});
    send({{"jsonrpc", "2.0"}, {"method", "exit"}});
    close(in[1]);
  });
  std::thread reader([&]() {
    char buffer[65536];
    ssize_t n;
    while ((n = read(out[0], buffer, sizeof buffer)) > 0) {
      std::lock_guard<std::mutex> lock(mutex);
      received.append(buffer, static_cast<size_t>(n));
      linted.notify_all();
    }
  });
  ServerOptions options;
  options.paths = {fs::path(POLICY_SOURCE_DIR) / "policies"};
  options.today = Date::Parse("2025-09-01");
  options.lint_delay = std::chrono::milliseconds(0);
  const int code = RunLanguageServer(options, in[0], out[1]);
  client.join();
  close(out[1]);
  reader.join();
  close(out[0]);
  EXPECT_EQ(code, 0);
  // The last diagnostics published for the document are lint's on the final text: its one
  // unused function, and nothing left from an earlier text.
  MessageFramer framer;
  framer.Feed(received);
  nlohmann::json last;
  while (auto f = framer.Next()) {
    const auto m = nlohmann::json::parse(f->body);
    if (m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri) {
      last = m["params"]["diagnostics"];
    }
  }
  ASSERT_EQ(last.size(), 1u) << last.dump();
  EXPECT_EQ(last[0]["code"], "W0101");
  EXPECT_NE(last[0]["message"].get<std::string>().find("hk.employment.unused_24` is never used"),
            std::string::npos);
}

}  // namespace
}  // namespace policy::lsp

// Fuzz target: the language server's message stream (`policy lsp`). The input is the bytes a
// client sends after `initialize`: framed by MessageFramer, each body handled by the server, with
// the pending work (check, publish, lint) run after each. Whatever the bytes, nothing crashes,
// every message the server sends is JSON, and every request (a message with an id and a method)
// gets exactly one answer.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "lsp/json_rpc.h"
#include "lsp/server.h"

namespace {

using namespace policy;

void Require(bool ok, const char* what) {
  if (!ok) {
    __builtin_printf("invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t answers = 0;
  lsp::ServerOptions options;
  options.today = Date::Parse("2025-09-01");
  options.lint_delay = std::chrono::milliseconds(0);
  options.synchronous_lint = true;
  lsp::Server server(options, [&](const std::string& body) {
    nlohmann::json message;
    try {
      message = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
      Require(false, "the server sent a message that is not JSON");
    }
    if (message.contains("id") && !message.contains("method")) {
      ++answers;
    }
  });
  server.Handle(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}})");
  Require(answers == 1, "initialize was not answered");
  answers = 0;
  lsp::MessageFramer framer;
  framer.Feed(std::string_view(reinterpret_cast<const char*>(data), size));
  size_t requests = 0;
  while (auto frame = framer.Next()) {
    if (frame->kind == lsp::Frame::Kind::kError) {
      break;
    }
    // Count what the server must answer: a JSON object with an id and a method, or anything that
    // is not a JSON object at all (answered with an error). Notifications get no answer.
    try {
      const auto m = nlohmann::json::parse(frame->body);
      const bool has_id =
          m.is_object() && m.contains("id") && (m["id"].is_number_integer() || m["id"].is_string());
      if (!m.is_object() || (has_id && m.contains("method"))) {
        ++requests;
      }
    } catch (const nlohmann::json::exception&) {
      ++requests;
    }
    server.Handle(frame->body);
    server.Tick();
    if (server.exit_code()) {
      break;
    }
  }
  Require(answers == requests, "a request was answered more or less than once");
  return 0;
}

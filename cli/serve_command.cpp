// `policy serve [--addr HOST:PORT] [--decision-log FILE] [--threads N] [--token-file F] PATHS`:
// the policies over HTTP (server/, docs/server.md). Runs until SIGINT or SIGTERM, then finishes
// the requests in flight, flushes the decision log and exits 0.
#include <fmt/format.h>

#include <csignal>
#include <fstream>
#include <mutex>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "policy/policy.hpp"
#include "server/decision_service.h"
#include "server/http_server.h"

namespace policy::cli {
namespace {

// "127.0.0.1:8181" -> address and port. IPv6 addresses are written in brackets: "[::1]:8181".
auto ParseAddr(const std::string& text, server::HttpOptions* out) -> bool {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return false;
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port > 65535) {
      return false;
    }
  } catch (const std::exception&) {
    return false;
  }
  out->address = host.empty() ? "127.0.0.1" : host;
  out->port = static_cast<uint16_t>(port);
  return true;
}

auto ReadToken(const std::string& path, std::string* token) -> bool {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  std::getline(in, *token);
  while (!token->empty() && (token->back() == '\r' || token->back() == ' ' || token->back() == '\t')) {
    token->pop_back();
  }
  return true;
}

}  // namespace

auto AddServeCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::string addr = "127.0.0.1:8181";
    std::string decision_log;
    std::string decision_log_input = "full";
    std::string token_file;
    unsigned threads = 0;
    size_t max_body = 4u << 20;
    size_t max_batch = 1000;
    double request_timeout = 10;
    double idle_timeout = 60;
    bool jit = false;
    bool skip_tests = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub =
      AddSubcommand(app, "serve", "Serve decisions over HTTP, reloading the policies when they change");
  AddPathsOption(sub, options->paths);
  sub->add_option("--addr", options->addr,
                  "Address and port to listen on (default 127.0.0.1:8181; port 0 picks a free one, "
                  "printed at start)")
      ->type_name("HOST:PORT");
  sub->add_option("--decision-log", options->decision_log,
                  "Append one JSON line per decision to FILE, for `policy replay`")
      ->type_name("FILE");
  sub->add_option("--decision-log-input", options->decision_log_input,
                  "What the log keeps of each case: `full` (replayable) or `hash` (no personal data)")
      ->check(CLI::IsMember({"full", "hash"}));
  sub->add_option("--threads", options->threads, "Worker threads (default: one per core)");
  sub->add_option("--token-file", options->token_file,
                  "Require `Authorization: Bearer TOKEN` on every endpoint but /health; TOKEN is the "
                  "file's first line")
      ->type_name("FILE");
  sub->add_option("--max-body", options->max_body, "Largest request body, in bytes (default 4 MiB)");
  sub->add_option("--max-batch", options->max_batch, "Most requests in one POST /v1/batch (default 1000)");
  sub->add_option("--request-timeout", options->request_timeout,
                  "Seconds a request may take to arrive, from its first byte (default 10)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--idle-timeout", options->idle_timeout,
                  "Seconds an idle keep-alive connection stays open (default 60)")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--jit", options->jit, "Evaluate with machine code (LLVM), optimised in the background");
  sub->add_flag("--skip-tests", options->skip_tests,
                "Serve and reload policies whose own tests fail (by default such a version is refused)");
  return Runner([options, &io]() {
    std::mutex log_mutex;  // the log lines of several threads, one whole line at a time
    auto say = [&](const std::string& line) {
      std::lock_guard lock(log_mutex);
      io.err << "policy serve: " << line << std::endl;
    };
    server::HttpOptions http;
    if (!ParseAddr(options->addr, &http)) {
      io.err << fmt::format("error: --addr `{}` is not HOST:PORT (for example 127.0.0.1:8181)\n",
                            options->addr);
      return kExitInputError;
    }
    http.threads = options->threads;
    http.max_body_bytes = options->max_body;
    http.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(options->request_timeout * 1000));
    http.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(options->idle_timeout * 1000));

    server::ServiceOptions service_options;
    service_options.max_batch = options->max_batch;
    service_options.today = io.env.today;
    service_options.logged_input =
        options->decision_log_input == "hash" ? server::LoggedInput::kHash : server::LoggedInput::kFull;
    if (!io.env.today.empty() && !api::ParseDate(io.env.today)) {
      io.err << fmt::format("error: POLICY_TODAY `{}` is not a YYYY-MM-DD date\n", io.env.today);
      return kExitInputError;
    }
    if (!options->token_file.empty()) {
      std::string token;
      if (!ReadToken(options->token_file, &token) || token.empty()) {
        io.err << fmt::format("error: cannot read a token from `{}` (its first line)\n", options->token_file);
        return kExitInputError;
      }
      service_options.token = token;
    }

    server::Metrics metrics;
    std::unique_ptr<server::DecisionLog> decision_log;
    if (!options->decision_log.empty()) {
      std::string error;
      decision_log = server::DecisionLog::Open(options->decision_log, &error);
      if (!decision_log) {
        io.err << "error: " << error << "\n";
        return kExitInputError;
      }
    }

    std::atomic<api::LivePolicySet*> live_ptr{nullptr};
    api::ReloadOptions reload;
    reload.start_without_valid_set = true;
    reload.load.require_tests_pass = !options->skip_tests;
    reload.load.jit = options->jit;
    if (!io.env.today.empty()) {
      reload.load.tests_as_of = api::ParseDate(io.env.today).value();
    }
    reload.on_reload = [&](const api::ReloadEvent& event) {
      metrics.CountReload(event.swapped);
      api::LivePolicySet* live = live_ptr.load();
      const std::string revision = live != nullptr ? live->current().revision() : "?";
      if (event.swapped) {
        say(fmt::format("reloaded: now serving revision {} (generation {})", revision,
                        live != nullptr ? live->generation() : 0));
      } else if (event.error) {
        say(fmt::format("reload refused, {}: {}",
                        revision.empty() ? "still no valid policy set" : "still serving revision " + revision,
                        event.error->message));
      }
    };
    auto started = api::LivePolicySet::Start(options->paths, reload);
    if (!started) {
      io.err << "error: " << started.error().message << "\n";
      return kExitInputError;
    }
    std::unique_ptr<api::LivePolicySet> live = std::move(*started);
    live_ptr = live.get();
    server::DecisionService service(service_options, *live, metrics, decision_log.get());
    std::string error;
    auto http_server = server::HttpServer::Start(
        http, [&service](const server::HttpRequest& r) { return service.Handle(r); }, &error);
    if (!http_server) {
      io.err << "error: " << error << "\n";
      return kExitInputError;
    }
    http_server->SetRefusedCallback([&metrics](int status, std::string_view code) {
      metrics.CountRequest(server::Endpoint::kOther, status, {});
      metrics.CountError(code);
    });
    const api::PolicySet initial = live->current();
    if (initial.valid()) {
      say(fmt::format("serving revision {} ({} decisions) on http://{}", initial.revision(),
                      initial.decision_names().size(), http_server->address()));
    } else {
      const auto last = live->last_error();
      say(fmt::format("no valid policy set yet ({}); answering 503 until the files are fixed",
                      last ? last->message : "unknown error"));
      if (last) {
        std::lock_guard lock(log_mutex);
        for (const api::Diagnostic& d : last->diagnostics) {
          io.err << d.rendered;
        }
      }
      say(fmt::format("listening on http://{}", http_server->address()));
    }
    http_server->StopOnSignals([&](int signal) {
      say(fmt::format("{}: finishing the requests in flight", signal == SIGTERM ? "SIGTERM" : "SIGINT"));
    });
    http_server->Run();
    http_server->Wait();
    if (decision_log) {
      decision_log->Close();
    }
    say("stopped");
    return kExitOk;
  });
}

}  // namespace policy::cli

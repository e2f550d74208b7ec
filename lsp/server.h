// `policy lsp`: the Language Server Protocol 3.17 over a byte stream, on the compiler the CLI
// uses. One thread reads and frames messages; the main thread answers them in order; lint (the
// slow stage: the engine loads and the tests run) runs on a thread of its own once the user
// pauses, so that typing is never blocked by it.
//
// After every burst of edits the set is checked again (parse and check, a few tens of
// milliseconds for the bundled policies) and the diagnostics of every file whose list changed
// are published; the lint warnings follow when lint finishes. A request is always answered from
// the text as it is at that point: a pending re-check runs first.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/date.h"
#include "lsp/convert.h"
#include "lsp/decorations.h"
#include "lsp/navigation.h"
#include "lsp/text_positions.h"
#include "lsp/workspace.h"

namespace policy::lsp {

struct ServerOptions {
  // The policy set, as absolute files or directories (`policy lsp PATHS`). Empty: the client's
  // `initializationOptions.paths` (relative to the workspace folder), else the workspace folders.
  std::vector<std::string> paths;
  // The date lint and parameter values are computed for; nullopt = today (UTC) at each use.
  std::optional<Date> today;
  // How long after the last edit lint starts.
  std::chrono::milliseconds lint_delay{400};
  // Run lint on the calling thread, inside Tick() (unit tests: deterministic).
  bool synchronous_lint = false;
  // Example case records (JSON files, or directories of them) the "evaluate" code lens runs a
  // decision on. Empty: examples/cases under the workspace folder, when it exists.
  std::vector<std::string> cases;
  std::string version = "dev";
};

class Server {
 public:
  using Clock = std::chrono::steady_clock;
  // `send` writes one message body (a JSON text) to the client; only ever called from the thread
  // that calls Handle(), Tick() and LintFinished().
  Server(ServerOptions options, std::function<void(const std::string&)> send);
  ~Server();
  Server(const Server&) = delete;
  auto operator=(const Server&) -> Server& = delete;

  // One message body from the client.
  void Handle(std::string_view body);
  // Work that waits for a pause in the messages: re-check and publish; start lint when due.
  void Tick();
  // When Tick() wants to run again without a message (lint due), if ever.
  auto NextWake() const -> std::optional<Clock::time_point>;
  // Where the lint thread's result goes (the loop calls it on the main thread).
  void LintFinished(LintResult result);
  // Set when the lint thread finishes, for the loop to pass its result to LintFinished.
  void SetLintNotifier(std::function<void(LintResult)> notify) { notify_lint_ = std::move(notify); }

  // After `exit`: the process's exit code (0 when `shutdown` came first).
  auto exit_code() const -> std::optional<int> { return exit_code_; }
  // For the latency benchmark and tests: how long the last check took, and the snapshot.
  auto snapshot() const -> std::shared_ptr<const Snapshot> { return snapshot_; }

 private:
  void Dispatch(const Json& message);
  auto Request(const std::string& method, const Json& params) -> Json;
  void Notification(const std::string& method, const Json& params);
  auto Initialize(const Json& params) -> Json;
  void DidOpen(const Json& params);
  void DidChange(const Json& params);
  void DidClose(const Json& params);
  void DidChangeWatchedFiles(const Json& params);
  auto Formatting(const Json& params) -> Json;
  auto Completion(const Json& params) -> Json;
  auto ExtrasFor(const Symbol& s) -> HoverExtras;
  auto ParameterValue(const std::string& qualified) -> std::optional<std::string>;
  auto ExecuteCommand(const Json& params) -> Json;
  auto CodeActions(const Json& params) -> Json;
  auto EngineNow() -> std::shared_ptr<const Engine>;
  auto ExampleCases() -> const std::vector<std::pair<std::string, std::string>>&;

  auto Current() -> const Snapshot&;
  void Recheck();
  void Publish();
  void StartLint();
  auto Today() const -> Date;

  void Respond(const Json& id, Json result);
  void RespondError(const Json& id, int code, const std::string& message);
  void Notify(const std::string& method, Json params);
  void LogMessage(int type, const std::string& message);

  ServerOptions options_;
  std::function<void(const std::string&)> send_;
  std::function<void(LintResult)> notify_lint_;
  PositionEncoding encoding_ = PositionEncoding::kUtf16;
  Workspace workspace_;
  CompileOptions compile_options_;
  bool initialized_ = false;
  bool shutdown_ = false;
  std::optional<int> exit_code_;

  std::shared_ptr<const Snapshot> snapshot_;
  // Per document path: the latest snapshot in which it parsed (completion reads names there).
  std::map<std::string, std::shared_ptr<const Snapshot>> parsed_;
  std::map<std::string, int64_t> versions_;
  std::map<std::string, std::string> published_;  // URI -> the diagnostics JSON last sent
  bool publish_pending_ = false;

  std::optional<LintResult> lint_;                                      // the latest lint that finished
  std::map<std::string, std::optional<std::string>> parameter_values_;  // of lint_'s engine
  std::optional<std::vector<std::pair<std::string, std::string>>> example_cases_;
  std::string root_;                           // the first workspace folder
  std::optional<Clock::time_point> lint_due_;  // when to start the next
  bool lint_running_ = false;
  std::thread lint_thread_;
};

// Runs a server on file descriptors until `exit` or the end of the input. Returns the exit code:
// 0 after `shutdown` and `exit`, 1 when the stream ended or broke first.
auto RunLanguageServer(ServerOptions options, int in_fd, int out_fd) -> int;

}  // namespace policy::lsp

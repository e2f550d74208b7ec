#include "lsp/server.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <filesystem>
#include <mutex>

#include "compiler/syntax/format.h"
#include "lsp/completion.h"
#include "lsp/json_rpc.h"
#include "lsp/uri.h"

namespace policy::lsp {

namespace fs = std::filesystem;

namespace {

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;

auto Absolute(const std::string& path) -> std::string {
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec);
  return (ec ? fs::path(path) : abs).lexically_normal().string();
}

auto DocumentPath(const Json& params) -> std::string {
  return UriToPath(params.at("textDocument").at("uri").get<std::string>());
}

}  // namespace

Server::Server(ServerOptions options, std::function<void(const std::string&)> send)
    : options_(std::move(options)), send_(std::move(send)) {}

Server::~Server() {
  if (lint_thread_.joinable()) {
    lint_thread_.join();
  }
}

auto Server::Today() const -> Date {
  if (options_.today) {
    return *options_.today;
  }
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return Date::FromCivil(tm.tm_year + 1900, static_cast<uint32_t>(tm.tm_mon + 1),
                         static_cast<uint32_t>(tm.tm_mday))
      .value_or(Date::FromDays(0));
}

// ---- messages --------------------------------------------------------------------------------

void Server::Respond(const Json& id, Json result) {
  send_(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}.dump(
      -1, ' ', false, Json::error_handler_t::replace));
}

void Server::RespondError(const Json& id, int code, const std::string& message) {
  send_(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, Json::error_handler_t::replace));
}

void Server::Notify(const std::string& method, Json params) {
  send_(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}.dump(
      -1, ' ', false, Json::error_handler_t::replace));
}

void Server::LogMessage(int type, const std::string& message) {
  Notify("window/logMessage", {{"type", type}, {"message", message}});
}

void Server::Handle(std::string_view body) {
  Json message;
  try {
    message = Json::parse(body);
  } catch (const Json::parse_error& e) {
    RespondError(nullptr, kParseError, fmt::format("the message is not JSON: {}", e.what()));
    return;
  }
  Dispatch(message);
}

void Server::Dispatch(const Json& message) {
  if (!message.is_object()) {
    RespondError(nullptr, kInvalidRequest, "a message is a JSON object");
    return;
  }
  const bool has_id =
      message.contains("id") && (message["id"].is_number_integer() || message["id"].is_string());
  if (!message.contains("method")) {
    return;  // a response to something the server asked: nothing waits for it
  }
  if (!message["method"].is_string()) {
    if (has_id) {
      RespondError(message["id"], kInvalidRequest, "`method` must be a string");
    }
    return;
  }
  const std::string method = message["method"].get<std::string>();
  const Json params = message.contains("params") ? message["params"] : Json::object();
  if (!has_id) {
    try {
      Notification(method, params);
    } catch (const std::exception& e) {
      // A notification has no answer; say what was wrong where the client shows logs.
      LogMessage(1, fmt::format("{}: {}", method, e.what()));
    }
    return;
  }
  const Json& id = message["id"];
  if (!initialized_ && method != "initialize") {
    RespondError(id, kServerNotInitialized, "the client must send `initialize` first");
    return;
  }
  if (shutdown_) {
    RespondError(id, kInvalidRequest, "the server is shutting down");
    return;
  }
  try {
    Respond(id, Request(method, params));
  } catch (const RequestError& e) {
    RespondError(id, e.code(), e.what());
  } catch (const Json::exception& e) {
    RespondError(id, kInvalidParams, fmt::format("invalid params for `{}`: {}", method, e.what()));
  } catch (const std::exception& e) {
    RespondError(id, kInternalError, fmt::format("`{}` failed: {}", method, e.what()));
  }
}

auto Server::Request(const std::string& method, const Json& params) -> Json {
  if (method == "initialize") {
    return Initialize(params);
  }
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "textDocument/hover") {
    return lsp::Hover(Current(), params, encoding_, [this](const Symbol& s) { return ExtrasFor(s); });
  }
  if (method == "textDocument/definition") {
    return Definition(Current(), params, encoding_);
  }
  if (method == "textDocument/references") {
    return References(Current(), params, encoding_);
  }
  if (method == "textDocument/documentHighlight") {
    return DocumentHighlight(Current(), params, encoding_);
  }
  if (method == "textDocument/prepareRename") {
    return PrepareRename(Current(), params, encoding_);
  }
  if (method == "textDocument/rename") {
    return Rename(Current(), params, encoding_);
  }
  if (method == "textDocument/documentSymbol") {
    return DocumentSymbols(Current(), params, encoding_);
  }
  if (method == "workspace/symbol") {
    return WorkspaceSymbols(Current(), params, encoding_);
  }
  if (method == "textDocument/formatting") {
    return Formatting(params);
  }
  if (method == "textDocument/completion") {
    return Completion(params);
  }
  if (method == "textDocument/semanticTokens/full") {
    return SemanticTokens(Current(), params, encoding_);
  }
  if (method == "textDocument/inlayHint") {
    const Snapshot& snapshot = Current();
    return InlayHints(
        snapshot, params, encoding_, [this](const std::string& q) { return ParameterValue(q); },
        Today().ToString());
  }
  if (method == "textDocument/codeLens") {
    return CodeLenses(Current(), params, encoding_, ExampleCases().size());
  }
  if (method == "workspace/executeCommand") {
    return ExecuteCommand(params);
  }
  if (method == "textDocument/codeAction") {
    return CodeActions(params);
  }
  if (method == "policy/status") {
    // Not part of the protocol: what the last check and lint cost, for `bench/lsp_latency.py`
    // and for a user who wonders why an answer is slow.
    const Snapshot& s = Current();
    return {{"generation", s.generation},
            {"files", s.file_of_path.size()},
            {"check_ms", s.check_ms},
            {"errors", s.has_errors},
            {"lint_generation", lint_ ? lint_->generation : 0},
            {"lint_ms", lint_ ? lint_->lint_ms : 0.0}};
  }
  throw RequestError(kMethodNotFound, fmt::format("`{}` is not a request this server answers", method));
}

void Server::Notification(const std::string& method, const Json& params) {
  if (method == "exit") {
    exit_code_ = shutdown_ ? 0 : 1;
    return;
  }
  if (!initialized_) {
    return;  // the protocol drops notifications before `initialize`
  }
  if (method == "textDocument/didOpen") {
    DidOpen(params);
  } else if (method == "textDocument/didChange") {
    DidChange(params);
  } else if (method == "textDocument/didClose") {
    DidClose(params);
  } else if (method == "workspace/didChangeWatchedFiles") {
    DidChangeWatchedFiles(params);
  }
  // `initialized`, `$/cancelRequest` (every request is answered at once), `textDocument/didSave`
  // (the open text is what counts) and others need nothing.
}

auto Server::Initialize(const Json& params) -> Json {
  if (initialized_) {
    throw RequestError(kInvalidRequest, "`initialize` was already sent");
  }
  // Positions: UTF-8 when the client offers it (no conversion), else the protocol's UTF-16.
  if (params.contains("capabilities")) {
    const Json& caps = params["capabilities"];
    if (caps.contains("general") && caps["general"].contains("positionEncodings") &&
        caps["general"]["positionEncodings"].is_array()) {
      for (const Json& e : caps["general"]["positionEncodings"]) {
        if (e == "utf-8") {
          encoding_ = PositionEncoding::kUtf8;
          break;
        }
      }
    }
  }
  std::vector<std::string> roots;
  if (params.contains("workspaceFolders") && params["workspaceFolders"].is_array()) {
    for (const Json& f : params["workspaceFolders"]) {
      roots.push_back(UriToPath(f.at("uri").get<std::string>()));
    }
  }
  if (roots.empty() && params.contains("rootUri") && params["rootUri"].is_string()) {
    roots.push_back(UriToPath(params["rootUri"].get<std::string>()));
  }
  if (roots.empty() && params.contains("rootPath") && params["rootPath"].is_string()) {
    roots.push_back(params["rootPath"].get<std::string>());
  }
  root_ = roots.empty() ? Absolute(".") : Absolute(roots[0]);
  std::vector<std::string> paths = options_.paths;
  if (paths.empty() && params.contains("initializationOptions") &&
      params["initializationOptions"].is_object() && params["initializationOptions"].contains("paths")) {
    for (const Json& p : params["initializationOptions"]["paths"]) {
      const std::string rel = p.get<std::string>();
      paths.push_back(roots.empty() || fs::path(rel).is_absolute()
                          ? Absolute(rel)
                          : (fs::path(roots[0]) / rel).lexically_normal().string());
    }
  }
  if (paths.empty()) {
    paths = roots;
  }
  for (const std::string& p : paths) {
    workspace_.AddPath(Absolute(p));
  }
  initialized_ = true;
  publish_pending_ = true;
  return {{"capabilities",
           {{"positionEncoding", EncodingName(encoding_)},
            {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
            {"hoverProvider", true},
            {"definitionProvider", true},
            {"referencesProvider", true},
            {"documentHighlightProvider", true},
            {"documentSymbolProvider", true},
            {"workspaceSymbolProvider", true},
            {"documentFormattingProvider", true},
            {"renameProvider", {{"prepareProvider", true}}},
            {"completionProvider", {{"triggerCharacters", {"."}}, {"resolveProvider", false}}},
            {"semanticTokensProvider", {{"legend", SemanticTokensLegend()}, {"full", true}}},
            {"inlayHintProvider", true},
            {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
            {"codeLensProvider", {{"resolveProvider", false}}},
            {"executeCommandProvider", {{"commands", {kRunTestCommand, kEvaluateCommand}}}}}},
          {"serverInfo", {{"name", "policy"}, {"version", options_.version}}}};
}

// ---- documents -------------------------------------------------------------------------------

void Server::DidOpen(const Json& params) {
  const Json& doc = params.at("textDocument");
  const std::string path = UriToPath(doc.at("uri").get<std::string>());
  versions_[path] = doc.contains("version") ? JsonVersion(doc["version"]).value_or(0) : 0;
  workspace_.Open(path, doc.at("text").get<std::string>());
  publish_pending_ = true;
}

void Server::DidChange(const Json& params) {
  const std::string path = DocumentPath(params);
  const std::string* current = workspace_.Text(path);
  if (current == nullptr || !workspace_.IsOpen(path)) {
    throw RequestError(kInvalidParams, fmt::format("`{}` was changed but never opened", path));
  }
  std::string text = *current;
  for (const Json& change : params.at("contentChanges")) {
    if (change.contains("range")) {
      ApplyEdit(text, RangeFromJson(change["range"]), change.at("text").get<std::string>(), encoding_);
    } else {
      text = change.at("text").get<std::string>();
    }
  }
  const Json& document = params["textDocument"];
  const auto version =
      document.is_object() && document.contains("version") ? JsonVersion(document["version"]) : std::nullopt;
  versions_[path] = version.value_or(versions_[path] + 1);
  workspace_.Change(path, std::move(text));
  publish_pending_ = true;
}

void Server::DidClose(const Json& params) {
  const std::string path = DocumentPath(params);
  workspace_.Close(path);
  versions_.erase(path);
  parsed_.erase(path);
  publish_pending_ = true;
}

void Server::DidChangeWatchedFiles(const Json& params) {
  for (const Json& change : params.at("changes")) {
    const std::string path = UriToPath(change.at("uri").get<std::string>());
    if (!workspace_.IsOpen(path)) {
      workspace_.Reload(path);
    }
  }
  publish_pending_ = true;
}

// ---- checking and publishing -----------------------------------------------------------------

auto Server::Current() -> const Snapshot& {
  if (!snapshot_ || snapshot_->generation != workspace_.generation()) {
    Recheck();
  }
  return *snapshot_;
}

void Server::Recheck() {
  snapshot_ = workspace_.Check(compile_options_);
  for (const ast::Module& m : snapshot_->checked->modules) {
    if (m.file == kNoFile || m.has_syntax_errors) {
      continue;
    }
    parsed_[snapshot_->PathOf(m.file)] = snapshot_;
  }
  // Lint starts again from the new text once the user pauses.
  lint_due_ = Clock::now() + options_.lint_delay;
  publish_pending_ = true;
}

void Server::Publish() {
  const Snapshot& snapshot = Current();
  std::map<std::string, Json> by_uri;
  for (const std::string& path : workspace_.Paths()) {
    by_uri[PathToUri(path)] = Json::array();
  }
  AddDiagnostics(snapshot.diagnostics, *snapshot.sources, encoding_, by_uri);
  if (lint_ && lint_->engine) {
    // Lint of an older text still holds for a file whose text has not changed since; the rest
    // waits for the next lint.
    const SourceManager& linted = lint_->engine->sources();
    std::vector<Diagnostic> still_valid;
    for (const Diagnostic& d : lint_->diagnostics) {
      if (!d.primary.valid()) {
        continue;
      }
      const SourceBuffer& buffer = linted.Get(d.primary.file);
      const std::string* now = workspace_.Text(buffer.path());
      if (lint_->generation == snapshot.generation || (now != nullptr && *now == buffer.text())) {
        still_valid.push_back(d);
      }
    }
    if (!snapshot.has_errors || lint_->generation != snapshot.generation) {
      AddDiagnostics(still_valid, linted, encoding_, by_uri);
    }
  }
  for (const auto& [uri, old] : published_) {
    if (by_uri.count(uri) == 0) {
      by_uri[uri] = Json::array();  // a file that left the set: clear what it showed
    }
  }
  for (auto& [uri, list] : by_uri) {
    const std::string text = list.dump();
    if (published_[uri] == text) {
      continue;
    }
    published_[uri] = text;
    Json params = {{"uri", uri}, {"diagnostics", std::move(list)}};
    if (const auto v = versions_.find(UriToPath(uri)); v != versions_.end()) {
      params["version"] = v->second;
    }
    Notify("textDocument/publishDiagnostics", std::move(params));
  }
}

void Server::Tick() {
  if (!initialized_ || exit_code_) {
    return;
  }
  if (publish_pending_) {
    publish_pending_ = false;
    Publish();
  }
  if (lint_due_ && !lint_running_ && Clock::now() >= *lint_due_) {
    StartLint();
  }
}

auto Server::NextWake() const -> std::optional<Clock::time_point> {
  if (lint_due_ && !lint_running_) {
    return lint_due_;
  }
  return std::nullopt;
}

void Server::StartLint() {
  lint_due_.reset();
  if (snapshot_ && snapshot_->has_errors) {
    // The set does not compile: lint has nothing to load. Its old warnings stay where the text
    // did not change (Publish).
    return;
  }
  auto files = workspace_.Sources();
  const uint64_t generation = workspace_.generation();
  const Date today = Today();
  if (options_.synchronous_lint) {
    LintFinished(Workspace::Lint(files, generation, today));
    return;
  }
  if (lint_thread_.joinable()) {
    lint_thread_.join();
  }
  lint_running_ = true;
  lint_thread_ = std::thread([this, files = std::move(files), generation, today]() {
    LintResult result = Workspace::Lint(files, generation, today);
    notify_lint_(std::move(result));
  });
}

void Server::LintFinished(LintResult result) {
  lint_running_ = false;
  if (lint_ && result.generation < lint_->generation) {
    return;
  }
  lint_ = std::move(result);
  parameter_values_.clear();
  publish_pending_ = true;
  if (lint_->generation != workspace_.generation() && !lint_due_) {
    lint_due_ = Clock::now() + options_.lint_delay;  // the text changed while it ran
  }
}

// ---- requests that need more than the index ---------------------------------------------------

auto Server::ParameterValue(const std::string& qualified) -> std::optional<std::string> {
  // From the engine lint loaded last: between an edit and the next lint it may be one edit
  // behind, which the hint's tooltip date makes no claim about; lint follows within a pause.
  if (!lint_ || !lint_->engine) {
    return std::nullopt;
  }
  if (const auto it = parameter_values_.find(qualified); it != parameter_values_.end()) {
    return it->second;
  }
  std::optional<std::string> value;
  const Engine& engine = *lint_->engine;
  if (const auto decision = engine.FindDecision(qualified)) {
    auto ctx = engine.NewContext();
    DiagnosticSink diags;
    const auto result = engine.Evaluate(*decision, Value{}, Today(), *ctx, nullptr, diags);
    if (result) {
      value = result->applicable
                  ? exact_json::Dump(engine.ValueToJson(engine.DecisionResultType(*decision), result->value))
                  : std::string("no value");
    }
  }
  parameter_values_[qualified] = value;
  return value;
}

auto Server::ExtrasFor(const Symbol& s) -> HoverExtras {
  HoverExtras extras;
  if (s.kind != SymbolKind::kParameter) {
    return extras;
  }
  if (const auto value = ParameterValue(s.qualified)) {
    extras.value_in_effect = *value;
    extras.as_of = Today().ToString();
  }
  return extras;
}

auto Server::EngineNow() -> std::shared_ptr<const Engine> {
  if (lint_ && lint_->engine && lint_->generation == workspace_.generation()) {
    return lint_->engine;
  }
  LoadResult loaded = Engine::LoadSources(workspace_.Sources());
  if (!loaded.engine) {
    throw RequestError(kRequestFailed, "the policies have errors; fix them first");
  }
  return loaded.engine;
}

auto Server::ExampleCases() -> const std::vector<std::pair<std::string, std::string>>& {
  if (example_cases_) {
    return *example_cases_;
  }
  example_cases_.emplace();
  std::vector<std::string> paths = options_.cases;
  if (paths.empty()) {
    paths.push_back((fs::path(root_) / "examples" / "cases").string());
  }
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& entry : fs::directory_iterator(p, ec)) {
        if (entry.path().extension() == ".json") {
          files.push_back(entry.path().string());
        }
      }
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    BoundedRead read = ReadBounded(f, InputLimits{}.max_bytes);
    if (read.status == BoundedRead::Status::kOk) {
      example_cases_->emplace_back(fs::path(f).filename().string(), std::move(read.text));
    }
  }
  return *example_cases_;
}

// Quick fixes: each fix a diagnostic carries (convert.cpp puts them in its `data`) as one code
// action that edits the text. The diagnostics come from the request, as the client keeps them.
auto Server::CodeActions(const Json& params) -> Json {
  Json actions = Json::array();
  const Json* diagnostics = nullptr;
  if (params.contains("context") && params["context"].is_object() &&
      params["context"].contains("diagnostics")) {
    diagnostics = &params["context"]["diagnostics"];
  }
  if (diagnostics == nullptr || !diagnostics->is_array()) {
    return actions;
  }
  for (const Json& d : *diagnostics) {
    if (!d.is_object() || !d.contains("data") || !d["data"].is_object() || !d["data"].contains("fixes") ||
        !d["data"]["fixes"].is_array()) {
      continue;
    }
    const Json& fixes = d["data"]["fixes"];
    for (const Json& f : fixes) {
      if (!f.is_object() || !f.contains("uri") || !f["uri"].is_string() || !f.contains("range") ||
          !f.contains("newText") || !f["newText"].is_string() || !f.contains("title") ||
          !f["title"].is_string()) {
        continue;  // not ours, or altered: never apply what cannot be read
      }
      Json edit = {{"range", f["range"]}, {"newText", f["newText"]}};
      actions.push_back({{"title", f["title"]},
                         {"kind", "quickfix"},
                         {"diagnostics", Json::array({d})},
                         {"isPreferred", fixes.size() == 1},
                         {"edit", {{"changes", {{f["uri"].get<std::string>(), Json::array({edit})}}}}}});
    }
  }
  return actions;
}

auto Server::ExecuteCommand(const Json& params) -> Json {
  const std::string command = params.at("command").get<std::string>();
  const Json arguments = params.value("arguments", Json::array());
  CommandResult result;
  if (command == kRunTestCommand) {
    result = RunTestCommand(*EngineNow(), arguments.at(0).get<std::string>(),
                            arguments.at(1).get<std::string>(), Today());
  } else if (command == kEvaluateCommand) {
    result = EvaluateCommand(*EngineNow(), arguments.at(0).get<std::string>(), ExampleCases(), Today());
  } else {
    throw RequestError(kInvalidParams, fmt::format("`{}` is not a command of this server", command));
  }
  Notify("window/showMessage", {{"type", result.ok ? 3 : 1}, {"message", result.summary}});
  if (!result.details.empty()) {
    LogMessage(result.ok ? 3 : 1, result.summary + "\n" + result.details);
  }
  return {{"ok", result.ok}, {"summary", result.summary}, {"details", result.details}};
}

auto Server::Formatting(const Json& params) -> Json {
  const std::string path = DocumentPath(params);
  const std::string* text = workspace_.Text(path);
  if (text == nullptr) {
    return nullptr;
  }
  SourceBuffer buffer(path, *text);
  DiagnosticSink diags;
  const auto formatted = syntax::FormatSource(buffer, 0, diags);
  if (!formatted) {
    throw RequestError(kRequestFailed, "the file has syntax errors; it is formatted once it parses");
  }
  if (*formatted == *text) {
    return Json::array();
  }
  const LineIndex lines(*text);
  return Json::array({{{"range", ToJson(lines.RangeOf(0, static_cast<uint32_t>(text->size()), encoding_))},
                       {"newText", *formatted}}});
}

auto Server::Completion(const Json& params) -> Json {
  const std::string path = DocumentPath(params);
  const std::string* text = workspace_.Text(path);
  if (text == nullptr) {
    return nullptr;
  }
  Current();  // the latest text checked, so that `parsed_` is up to date
  const auto it = parsed_.find(path);
  const Snapshot& names = it != parsed_.end() ? *it->second : *snapshot_;
  const uint32_t offset = LineIndex(*text).OffsetAt(PositionFromJson(params.at("position")), encoding_);
  return Complete(names, path, *text, offset);
}

// ---- the loop on file descriptors ------------------------------------------------------------

namespace {

// What the reader and lint threads hand to the main thread.
struct Event {
  enum class Kind { kMessage, kEnd, kBroken, kLint } kind = Kind::kMessage;
  std::string text;  // kMessage: the body; kBroken: what was wrong
  std::optional<LintResult> lint;
};

class EventQueue {
 public:
  void Push(Event e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(std::move(e));
    }
    ready_.notify_one();
  }
  // The next event, or nullopt when `deadline` passed first.
  auto Pop(std::optional<Server::Clock::time_point> deadline) -> std::optional<Event> {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto ready = [this] { return !events_.empty(); };
    if (deadline) {
      if (!ready_.wait_until(lock, *deadline, ready)) {
        return std::nullopt;
      }
    } else {
      ready_.wait(lock, ready);
    }
    Event e = std::move(events_.front());
    events_.pop_front();
    return e;
  }
  auto Empty() -> bool {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.empty();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Event> events_;
};

auto WriteAll(int fd, const std::string& data) -> bool {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

auto RunLanguageServer(ServerOptions options, int in_fd, int out_fd) -> int {
  // Shared with the reader thread, which may outlive this function (see below).
  auto queue = std::make_shared<EventQueue>();
  bool output_broken = false;
  Server server(std::move(options), [&](const std::string& body) {
    if (!output_broken && !WriteAll(out_fd, FrameMessage(body))) {
      output_broken = true;  // the client went away; the end of input follows
    }
  });
  server.SetLintNotifier([queue](LintResult r) {
    Event e;
    e.kind = Event::Kind::kLint;
    e.lint = std::move(r);
    queue->Push(std::move(e));
  });
  // The reader thread never touches the server: it only frames bytes into events. It is
  // detached: at exit it may be blocked in read() on a stream the client keeps open.
  std::thread reader([queue, in_fd]() {
    MessageFramer framer;
    std::string buffer(64 * 1024, '\0');
    while (true) {
      const ssize_t n = read(in_fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        queue->Push({Event::Kind::kEnd, "", std::nullopt});
        return;
      }
      framer.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)));
      while (auto frame = framer.Next()) {
        if (frame->kind == Frame::Kind::kError) {
          queue->Push({Event::Kind::kBroken, frame->error, std::nullopt});
          return;
        }
        queue->Push({Event::Kind::kMessage, std::move(frame->body), std::nullopt});
      }
    }
  });
  reader.detach();
  int code = 1;
  while (true) {
    std::optional<Event> event = queue->Pop(server.NextWake());
    if (!event) {
      server.Tick();  // lint is due
      continue;
    }
    if (event->kind == Event::Kind::kEnd) {
      fmt::print(stderr, "policy lsp: the client closed the connection without `exit`\n");
      break;
    }
    if (event->kind == Event::Kind::kBroken) {
      fmt::print(stderr, "policy lsp: unreadable message stream: {}\n", event->text);
      break;
    }
    if (event->kind == Event::Kind::kLint) {
      server.LintFinished(std::move(*event->lint));
    } else {
      server.Handle(event->text);
    }
    if (server.exit_code()) {
      code = *server.exit_code();
      break;
    }
    if (queue->Empty()) {
      server.Tick();
    }
  }
  // A lint still running is joined by ~Server; its notifier holds the queue.
  return code;
}

}  // namespace policy::lsp

#include "lsp/workspace.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "compiler/syntax/clone.h"
#include "compiler/syntax/parse.h"
#include "runtime/engine/lint.h"

namespace policy::lsp {

namespace fs = std::filesystem;

namespace {

auto MillisecondsSince(std::chrono::steady_clock::time_point start) -> double {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

auto ReadPolicyFile(const std::string& path) -> std::optional<std::string> {
  BoundedRead read = ReadBounded(path, syntax::ParseLimits{}.max_source_bytes);
  if (read.status != BoundedRead::Status::kOk) {
    return std::nullopt;
  }
  return std::move(read.text);
}

}  // namespace

auto Snapshot::FileOf(const std::string& path) const -> std::optional<FileId> {
  const auto it = file_of_path.find(path);
  return it == file_of_path.end() ? std::nullopt : std::optional(it->second);
}

void Workspace::AddPath(const std::string& path) {
  folders_.push_back(path);
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    if (auto text = ReadPolicyFile(path)) {
      on_disk_[path] = std::move(*text);
    }
    ++generation_;
    return;
  }
  const std::string& directory = path;
  for (fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    // Build trees and dependencies are not part of the policy set.
    if (it->is_directory(ec)) {
      const std::string name = it->path().filename().string();
      if (name == "node_modules" || name == ".git" || name.rfind("build", 0) == 0) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (it->is_regular_file(ec) && it->path().extension() == ".policy") {
      const std::string file = it->path().lexically_normal().string();
      if (auto text = ReadPolicyFile(file)) {
        on_disk_[file] = std::move(*text);
      }
    }
  }
  ++generation_;
}

void Workspace::Open(const std::string& path, std::string text) {
  open_[path] = std::move(text);
  ++generation_;
}

void Workspace::Change(const std::string& path, std::string text) {
  open_[path] = std::move(text);
  ++generation_;
}

void Workspace::Close(const std::string& path) {
  open_.erase(path);
  Reload(path);
}

void Workspace::Reload(const std::string& path) {
  ++generation_;
  const bool inside = std::any_of(folders_.begin(), folders_.end(), [&](const std::string& f) {
    return path == f ||
           (path.size() > f.size() && path.compare(0, f.size(), f) == 0 && path[f.size()] == '/');
  });
  if (!inside || fs::path(path).extension() != ".policy") {
    on_disk_.erase(path);
    return;
  }
  if (auto text = ReadPolicyFile(path)) {
    on_disk_[path] = std::move(*text);
  } else {
    on_disk_.erase(path);
  }
}

auto Workspace::Text(const std::string& path) const -> const std::string* {
  if (const auto it = open_.find(path); it != open_.end()) {
    return &it->second;
  }
  if (const auto it = on_disk_.find(path); it != on_disk_.end()) {
    return &it->second;
  }
  return nullptr;
}

auto Workspace::Paths() const -> std::vector<std::string> {
  std::vector<std::string> out;
  for (const auto& [path, text] : on_disk_) {
    out.push_back(path);
  }
  for (const auto& [path, text] : open_) {
    if (on_disk_.count(path) == 0) {
      out.push_back(path);
    }
  }
  return out;
}

auto Workspace::Sources() const -> std::vector<std::pair<std::string, std::string>> {
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& path : Paths()) {
    files.emplace_back(path, *Text(path));
  }
  return files;
}

auto Workspace::Parsed(const std::string& path, const std::string& text, const CompileOptions& options) const
    -> const ParsedFile& {
  ParsedFile& entry = parsed_[path];
  if (entry.text != text || entry.module.file == kNoFile) {
    const SourceBuffer buffer(path, text);
    DiagnosticSink diags;
    entry.text = text;
    entry.module = syntax::Parse(buffer, 0, diags, options.limits);
    entry.diagnostics = diags.diagnostics();
  }
  return entry;
}

auto Workspace::Check(const CompileOptions& options) const -> std::shared_ptr<const Snapshot> {
  const auto start = std::chrono::steady_clock::now();
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->generation = generation_;
  snapshot->sources = std::make_shared<SourceManager>();
  DiagnosticSink diags;
  std::vector<ast::Module> modules;
  const auto add = [&](const std::string& path, const std::string& text) {
    const ParsedFile& parsed = Parsed(path, text, options);
    const FileId id = snapshot->sources->Add(path, text);
    modules.push_back(syntax::CloneModule(parsed.module, id));
    for (const Diagnostic& d : parsed.diagnostics) {
      diags.Add(syntax::MoveToFile(d, id));
    }
    return id;
  };
  if (options.include_stdlib) {
    for (const auto& [path, text] : StdlibSources()) {
      add(path, text);
    }
  }
  const size_t stdlib_count = modules.size();
  std::vector<std::string> paths = Paths();
  std::sort(paths.begin(), paths.end());  // the order CheckSources parses files in
  for (const std::string& path : paths) {
    snapshot->file_of_path[path] = add(path, *Text(path));
  }
  // Trees of files that left the set are dropped.
  for (auto it = parsed_.begin(); it != parsed_.end();) {
    const bool kept =
        it->first.rfind("std/", 0) == 0 || std::binary_search(paths.begin(), paths.end(), it->first);
    it = kept ? std::next(it) : parsed_.erase(it);
  }
  snapshot->checked = CheckModules(std::move(modules), stdlib_count, diags);
  snapshot->has_errors = diags.has_errors();
  snapshot->diagnostics = diags.Sorted();
  for (FileId id = 0; id < snapshot->sources->size(); ++id) {
    snapshot->lines.emplace_back(snapshot->sources->Get(id).text());
  }
  snapshot->index = SymbolIndex::Build(*snapshot->checked, *snapshot->sources);
  snapshot->check_ms = MillisecondsSince(start);
  return snapshot;
}

auto Workspace::Lint(const std::vector<std::pair<std::string, std::string>>& files, uint64_t generation,
                     Date today) -> LintResult {
  const auto start = std::chrono::steady_clock::now();
  LintResult result;
  result.generation = generation;
  LoadResult loaded = Engine::LoadSources(files);
  result.engine = loaded.engine;
  if (loaded.engine) {
    result.diagnostics = policy::Lint(*loaded.engine, today);
  }
  result.lint_ms = MillisecondsSince(start);
  return result;
}

}  // namespace policy::lsp

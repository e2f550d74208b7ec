// The policy set the language server answers about: the `.policy` files under the workspace
// folders, with the text of every document open in the editor in place of what is on disk.
//
// Check() compiles the set as it is now (parse and check: the same CheckSources the CLI's
// `policy check` runs) into an immutable Snapshot; every request is answered from the latest
// one. Lint() is the slower second stage (the whole engine is loaded and `policy lint` runs),
// which the server runs only once the user pauses.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/pipeline.h"
#include "core/date.h"
#include "lsp/symbol_index.h"
#include "lsp/text_positions.h"
#include "runtime/engine/engine.h"

namespace policy::lsp {

struct Snapshot {
  uint64_t generation = 0;
  std::shared_ptr<SourceManager> sources;
  std::unique_ptr<CheckedSources> checked;
  std::vector<Diagnostic> diagnostics;  // parse and check, in `sources`
  SymbolIndex index;
  std::map<std::string, FileId> file_of_path;  // the set's own files (not the stdlib)
  std::vector<LineIndex> lines;                // per FileId
  bool has_errors = false;
  double check_ms = 0;

  auto FileOf(const std::string& path) const -> std::optional<FileId>;
  auto PathOf(FileId file) const -> const std::string& { return sources->Get(file).path(); }
};

// What the second stage found, for the snapshot of the same generation.
struct LintResult {
  uint64_t generation = 0;
  std::shared_ptr<const Engine> engine;  // null when the set does not compile
  std::vector<Diagnostic> diagnostics;   // in engine->sources()
  double lint_ms = 0;
};

class Workspace {
 public:
  // Adds a .policy file, or the .policy files under a directory (recursively), to the set, read
  // from disk. `path` is absolute.
  void AddPath(const std::string& path);
  void Open(const std::string& path, std::string text);
  void Change(const std::string& path, std::string text);
  // The editor closed the document: its file on disk counts again (or it leaves the set when
  // it is not on disk, as an unsaved buffer does).
  void Close(const std::string& path);
  // A file changed, appeared or went away on disk (workspace/didChangeWatchedFiles).
  void Reload(const std::string& path);

  auto IsOpen(const std::string& path) const -> bool { return open_.count(path) != 0; }
  auto Text(const std::string& path) const -> const std::string*;
  auto Paths() const -> std::vector<std::string>;
  auto generation() const -> uint64_t { return generation_; }
  auto folders() const -> const std::vector<std::string>& { return folders_; }

  auto Check(const CompileOptions& options) const -> std::shared_ptr<const Snapshot>;
  // The files and texts of the set now: what Lint() takes, copied so that it can run on another
  // thread while the editor goes on changing the workspace.
  auto Sources() const -> std::vector<std::pair<std::string, std::string>>;
  static auto Lint(const std::vector<std::pair<std::string, std::string>>& files, uint64_t generation,
                   Date today) -> LintResult;

 private:
  // Each file's tree as parsed, with its parse errors, while its text stays the same: an edit
  // re-parses the edited file only, and the check runs on copies (compiler/syntax/clone.h).
  struct ParsedFile {
    std::string text;
    ast::Module module;  // spans in file 0
    std::vector<Diagnostic> diagnostics;
  };
  auto Parsed(const std::string& path, const std::string& text, const CompileOptions& options) const
      -> const ParsedFile&;
  mutable std::map<std::string, ParsedFile> parsed_;
  std::vector<std::string> folders_;
  std::map<std::string, std::string> on_disk_;
  std::map<std::string, std::string> open_;
  uint64_t generation_ = 1;
};

}  // namespace policy::lsp

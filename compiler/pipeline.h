// The whole compiler as one call: files -> parse -> check -> lower (CompileFiles), and the first
// stage alone (ParseFiles). `policy check` runs them all and reports every diagnostic;
// `policy check --dump ast` also prints what ParseFiles returns (compiler/syntax/print_ast.h),
// `--dump ir` what lowering returns (ir::PrintIr).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/check/check.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/syntax/parse.h"

namespace policy {

struct CompileOptions {
  bool include_stdlib = true;  // the embedded std.* modules
  syntax::ParseLimits limits;
};

// Expands files and directories (recursively, *.policy, sorted by path for deterministic
// output). Paths that do not exist or cannot be read are reported as E0100.
auto CollectPolicyFiles(const std::vector<std::string>& paths, DiagnosticSink& diags)
    -> std::vector<std::string>;

// Reads `files` into `sources` and compiles them with the stdlib. Returns null when any stage
// reported an error; all diagnostics of all files are in `diags`.
auto CompileFiles(const std::vector<std::string>& files, const CompileOptions& options,
                  SourceManager& sources, DiagnosticSink& diags) -> std::shared_ptr<ir::Program>;

// The first two stages (parse and check) of CompileSources, kept rather than lowered: the typed
// syntax trees and what the checker found, for tools that answer questions about the text (the
// language server: definitions, references, hover). `program` points into `modules`, which is why
// both live behind one pointer that never moves.
struct CheckedSources {
  std::vector<ast::Module> modules;  // the stdlib's first, then the files' in path order
  check::Program program;
};
auto CheckSources(const std::vector<std::pair<std::string, std::string>>& files,
                  const CompileOptions& options, SourceManager& sources, DiagnosticSink& diags)
    -> std::unique_ptr<CheckedSources>;
// The check of CheckSources on trees already parsed: the first `stdlib_count` are the embedded
// stdlib's, the rest the files' in path order (a file that declares a std.* module replaces the
// stdlib's). The language server parses each file once per edit of it and checks copies
// (compiler/syntax/clone.h).
auto CheckModules(std::vector<ast::Module> modules, size_t stdlib_count, DiagnosticSink& diags)
    -> std::unique_ptr<CheckedSources>;

// The same, for sources already in memory: (path, text) pairs.
auto CompileSources(const std::vector<std::pair<std::string, std::string>>& files,
                    const CompileOptions& options, SourceManager& sources, DiagnosticSink& diags)
    -> std::shared_ptr<ir::Program>;

// Reads `files` and parses each, in path order: the syntax trees as written, without the stdlib
// and unchecked. A file that cannot be read is reported and left out; a file with syntax errors
// gives a module without declarations (see syntax::Parse), and the errors are in `diags`.
auto ParseFiles(const std::vector<std::string>& files, const CompileOptions& options, SourceManager& sources,
                DiagnosticSink& diags) -> std::vector<ast::Module>;

// The embedded standard library: (path, text) pairs.
auto StdlibSources() -> const std::vector<std::pair<std::string, std::string>>&;

}  // namespace policy

// One function per subcommand; each registers its options on the CLI11 app and returns the
// callback that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/driver.h"
#include "compiler/diag/diagnostic.h"
#include "runtime/engine/engine.h"

namespace policy::cli {

struct Io {
  std::ostream& out;
  std::ostream& err;
  const DriverEnv& env;
};

using Runner = std::function<int()>;

auto AddCheckCommand(CLI::App& app, Io& io) -> Runner;
auto AddEvalCommand(CLI::App& app, Io& io) -> Runner;
auto AddTestCommand(CLI::App& app, Io& io) -> Runner;
auto AddFmtCommand(CLI::App& app, Io& io) -> Runner;
auto AddLintCommand(CLI::App& app, Io& io) -> Runner;
auto AddDiffCommand(CLI::App& app, Io& io) -> Runner;
auto AddAnalyzeCommand(CLI::App& app, Io& io) -> Runner;

// Shared helpers.
auto ParseFormat(const std::string& text) -> DiagFormat;
void PrintDiagnostics(Io& io, const DiagnosticSink& diags, const SourceManager& sources, DiagFormat format);
// Loads the policies under `paths`; on any error prints the diagnostics and returns null.
// With `jit`, the decisions are also compiled to machine code at that tier, and ReportNative
// says how it went.
auto LoadOrReport(Io& io, const std::vector<std::string>& paths, DiagFormat format,
                  std::optional<JitTier> jit = std::nullopt) -> std::shared_ptr<const Engine>;
// The `--jit` and `--jit-tier` options of `eval` and `test`: a one-shot command never waits for
// a background compile, so the tiers offered are `quick` (the default) and `optimized`.
struct JitFlags {
  bool jit = false;
  std::string tier = "quick";
  void AddTo(CLI::App* sub, const std::string& jit_help);
  auto Tier() const -> std::optional<JitTier>;
};
// The text of the JSON case files among `paths` (files, or directories of *.json), in path order.
auto ReadCaseFiles(const std::vector<std::string>& paths) -> std::vector<std::string>;
// The same, with each file's name.
auto ReadNamedCaseFiles(const std::vector<std::string>& paths)
    -> std::vector<std::pair<std::string, std::string>>;
// To standard error: how many decisions the JIT compiled, and why any runs on the interpreter.
void ReportNative(Io& io, const Engine& engine);
auto ResolveAsOf(const std::string& text, const DriverEnv& env, DiagnosticSink& diags) -> std::optional<Date>;

}  // namespace policy::cli

// One function per subcommand; each registers its options on the CLI11 app and returns the
// callback that runs it. The options several subcommands share are in options.h, the rendering
// of what check, lint, analyze and diff find in render_findings.h.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/driver.h"
#include "cli/options.h"
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
auto AddServeCommand(CLI::App& app, Io& io) -> Runner;
auto AddReplayCommand(CLI::App& app, Io& io) -> Runner;
auto AddBatchCommand(CLI::App& app, Io& io) -> Runner;
auto AddSqlCommand(CLI::App& app, Io& io) -> Runner;
auto AddReviewCommand(CLI::App& app, Io& io) -> Runner;
auto AddLspCommand(CLI::App& app, Io& io) -> Runner;

// Loading (load.cpp). Loads the policies under `paths`; on any error prints the diagnostics and
// returns null. With `jit`, the decisions are also compiled to machine code at that tier, and
// ReportNative says how it went.
// The date of `as_of` (today when it was not given); on a malformed date prints the error against
// `engine`'s sources and returns nullopt, for the command to exit with kExitInputError.
auto ResolveAsOfOrReport(Io& io, const AsOfOption& as_of, const Engine& engine, DiagFormat format)
    -> std::optional<Date>;
auto LoadOrReport(Io& io, const std::vector<std::string>& paths, DiagFormat format,
                  std::optional<JitTier> jit = std::nullopt) -> std::shared_ptr<const Engine>;
// To standard error: how many decisions the JIT compiled, and why any runs on the interpreter.
void ReportNative(Io& io, const Engine& engine);

}  // namespace policy::cli

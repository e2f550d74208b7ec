// `policy lint PATHS`: the warnings of runtime/engine/lint.h (unused declarations, rules an
// exception always overrides, decisions without a source, rules and tests that do not meet).
// Exit 0 when there is nothing to say, 1 when there are warnings, 2 when the policies do not
// compile.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/engine/lint.h"

namespace policy::cli {

auto AddLintCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::string format = "human";
    std::string as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "lint", "Warn about unused declarations, shadowed rules, missing sources and untested rules");
  sub->set_version_flag("--version", std::string("policy ") + POLICY_VERSION);
  sub->add_option("paths", options->paths, "Policy files or directories (searched for *.policy)")->required();
  sub->add_option(
         "--format", options->format,
         "Warnings as `human` (default), `short` (one line each), `json` or `sarif` (SARIF 2.1.0, for "
         "code-scanning UIs)")
      ->check(CLI::IsMember({"human", "short", "json", "sarif"}));
  sub->add_option(
      "--as-of", options->as_of,
      "Date the tests run on where they do not say (YYYY-MM-DD; default: today, or POLICY_TODAY)");
  return Runner([options, &io]() {
    const DiagFormat format = ParseFormat(options->format);
    auto engine = LoadOrReport(io, options->paths, format);
    if (!engine) {
      return kExitInputError;
    }
    DiagnosticSink diags;
    const auto as_of = ResolveAsOf(options->as_of, io.env, diags);
    if (!as_of) {
      PrintDiagnostics(io, diags, engine->sources(), format);
      return kExitInputError;
    }
    for (Diagnostic& d : Lint(*engine, *as_of)) {
      diags.Add(std::move(d));
    }
    const size_t n = diags.diagnostics().size();
    if (format == DiagFormat::kJson && n == 0) {
      io.out << "[]\n";
    } else if (format == DiagFormat::kSarif && n == 0) {
      io.out << RenderDiagnostics({}, engine->sources(), format);
    } else {
      PrintDiagnostics(io, diags, engine->sources(), format);
    }
    if (format != DiagFormat::kJson && format != DiagFormat::kSarif) {
      io.err << (n == 0 ? std::string("ok: no warnings\n")
                        : fmt::format("{} warning{}\n", n, n == 1 ? "" : "s"));
    }
    return n == 0 ? kExitOk : kExitFindings;
  });
}

}  // namespace policy::cli

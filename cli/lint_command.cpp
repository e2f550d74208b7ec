// `policy lint PATHS`: the warnings of runtime/engine/lint.h (unused declarations, rules an
// exception always overrides, decisions without a source, rules and tests that do not meet,
// effective dates with holes or that change under undated tests, numbers where a parameter is
// meant).
// Exit 0 when there is nothing to say, 1 when there are warnings, 2 when the policies do not
// compile.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "runtime/engine/lint.h"

namespace policy::cli {

auto AddLintCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    AsOfOption as_of;
    FormatOption format;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(
      app, "lint",
      "Warn about unused declarations, shadowed rules, missing sources, untested rules, holes in effective "
      "dates and numbers written where a parameter is meant");
  AddPathsOption(sub, options->paths);
  // The date matters to the tests lint runs to find untested rules (W0104, W0105), and is the
  // "today" after which an undated test's law must not change (W0108).
  options->as_of.AddTo(sub);
  options->format.AddTo(sub, "Warnings");
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    auto engine = LoadOrReport(io, options->paths, format);
    if (!engine) {
      return kExitInputError;
    }
    const auto as_of = ResolveAsOfOrReport(io, options->as_of, *engine, format);
    if (!as_of) {
      return kExitInputError;
    }
    DiagnosticSink diags;
    for (Diagnostic& d : Lint(*engine, *as_of)) {
      diags.Add(std::move(d));
    }
    const size_t n = diags.diagnostics().size();
    RenderFindings(io, diags, engine->sources(), format, LintSummary(n));
    return n == 0 ? kExitOk : kExitFindings;
  });
}

}  // namespace policy::cli

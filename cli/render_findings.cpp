#include "cli/render_findings.h"

#include <fmt/format.h>

#include <algorithm>

namespace policy::cli {

void PrintDiagnostics(Io& io, const DiagnosticSink& diags, const SourceManager& sources, DiagFormat format) {
  const auto sorted = diags.Sorted();
  if (sorted.empty()) {
    return;
  }
  if (format == DiagFormat::kJson || format == DiagFormat::kSarif) {
    io.out << RenderDiagnostics(sorted, sources, format);
    return;
  }
  io.err << RenderDiagnostics(sorted, sources, format, io.env.color);
  const size_t errors = diags.error_count();
  if (format == DiagFormat::kHuman && errors > 0) {
    io.err << fmt::format("{} error{} found\n", errors, errors == 1 ? "" : "s");
  }
}

void RenderFindings(Io& io, const DiagnosticSink& findings, const SourceManager& sources, DiagFormat format,
                    const std::string& summary) {
  const bool machine = format == DiagFormat::kJson || format == DiagFormat::kSarif;
  if (machine && findings.diagnostics().empty()) {
    // An empty array or SARIF run, so that a tool reading the output needs no special case.
    io.out << RenderDiagnostics({}, sources, format);
    return;
  }
  PrintDiagnostics(io, findings, sources, format);
  if (!machine && !summary.empty()) {
    io.err << summary << "\n";
  }
}

auto CheckSummary(const Engine& engine) -> std::string {
  const ir::Program& p = engine.program().ir();
  const SourceManager& sources = engine.sources();
  const auto is_stdlib = [&sources](FileId file) {
    return file != kNoFile && sources.Get(file).path().rfind("<stdlib>", 0) == 0;
  };
  size_t user_files = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    user_files += is_stdlib(static_cast<FileId>(i)) ? 0 : 1;
  }
  // The embedded standard library's own tests are not the user's (`policy test` does not run them).
  const auto tests = static_cast<size_t>(std::count_if(
      p.tests.begin(), p.tests.end(), [&](const ir::Test& t) { return !is_stdlib(t.span.file); }));
  return fmt::format("ok: {} file{}, {} decision{}, {} test{}", user_files, user_files == 1 ? "" : "s",
                     p.decisions.size(), p.decisions.size() == 1 ? "" : "s", tests, tests == 1 ? "" : "s");
}

auto LintSummary(size_t warnings) -> std::string {
  return warnings == 0 ? std::string("ok: no warnings")
                       : fmt::format("{} warning{}", warnings, warnings == 1 ? "" : "s");
}

}  // namespace policy::cli

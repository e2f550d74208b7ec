#include "cli/render_findings.h"

#include <fmt/format.h>

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
  size_t user_files = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    user_files += sources.Get(static_cast<FileId>(i)).path().rfind("<stdlib>", 0) == 0 ? 0 : 1;
  }
  return fmt::format("ok: {} file{}, {} decision{}, {} test{}", user_files, user_files == 1 ? "" : "s",
                     p.decisions.size(), p.decisions.size() == 1 ? "" : "s", p.tests.size(),
                     p.tests.size() == 1 ? "" : "s");
}

auto LintSummary(size_t warnings) -> std::string {
  return warnings == 0 ? std::string("ok: no warnings")
                       : fmt::format("{} warning{}", warnings, warnings == 1 ? "" : "s");
}

}  // namespace policy::cli

// Loading the policies for a command, and saying how the JIT did (declared in commands.h).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render_findings.h"

namespace policy::cli {

auto LoadOrReport(Io& io, const std::vector<std::string>& paths, DiagFormat format,
                  std::optional<JitTier> jit) -> std::shared_ptr<const Engine> {
  EngineOptions options;
  options.jit = jit.has_value();
  options.jit_tier = jit.value_or(JitTier::kQuick);
  LoadResult loaded = Engine::Load(paths, options);
  if (!loaded.engine) {
    PrintDiagnostics(io, loaded.diagnostics, *loaded.sources, format);
  } else if (jit) {
    ReportNative(io, *loaded.engine);
  }
  return loaded.engine;
}

auto ResolveAsOfOrReport(Io& io, const AsOfOption& as_of, const Engine& engine, DiagFormat format)
    -> std::optional<Date> {
  DiagnosticSink diags;
  auto date = as_of.Resolve(io.env, diags);
  if (!date) {
    PrintDiagnostics(io, diags, engine.sources(), format);
  }
  return date;
}

void ReportNative(Io& io, const Engine& engine) {
  const NativeReport& r = engine.native_report();
  const auto& decisions = engine.program().ir().decisions;
  if (!r.available) {
    io.err << fmt::format("jit: {}; every decision runs on the interpreter\n",
                          r.reasons.empty() ? "unavailable" : r.reasons.front());
    return;
  }
  io.err << fmt::format(
      "jit: {} of {} decisions compiled to {}machine code in {:.1f} ms (lowering {:.1f} ms, LLVM {:.1f} "
      "ms)\n",
      r.native_count, decisions.size(), r.tier == JitTier::kOptimized ? "optimised " : "",
      r.lower_ms + r.compile_ms, r.lower_ms, r.compile_ms);
  for (size_t d = 0; d < decisions.size(); ++d) {
    if (!r.native[d]) {
      io.err << fmt::format("jit: `{}` runs on the interpreter: {}\n", decisions[d].name, r.reasons[d]);
    }
  }
}

}  // namespace policy::cli

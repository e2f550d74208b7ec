#include "cli/driver.h"

#include <fmt/format.h>

#include <ctime>
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace policy::cli {

auto ParseFormat(const std::string& text) -> DiagFormat {
  if (text == "json") {
    return DiagFormat::kJson;
  }
  if (text == "sarif") {
    return DiagFormat::kSarif;
  }
  if (text == "short") {
    return DiagFormat::kShort;
  }
  return DiagFormat::kHuman;
}

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

void JitFlags::AddTo(CLI::App* sub, const std::string& jit_help) {
  sub->add_flag("--jit", jit, jit_help);
  sub->add_option("--jit-tier", tier,
                  "With --jit: `quick` (default; compiles fast) or `optimized` (compiles about three "
                  "times longer, runs about a third faster)")
      ->check(CLI::IsMember({"quick", "optimized"}));
}

auto JitFlags::Tier() const -> std::optional<JitTier> {
  if (!jit) {
    return std::nullopt;
  }
  return tier == "optimized" ? JitTier::kOptimized : JitTier::kQuick;
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

auto ResolveAsOf(const std::string& text, const DriverEnv& env, DiagnosticSink& diags)
    -> std::optional<Date> {
  std::string value = text;
  if (value.empty()) {
    value = env.today;
  }
  if (value.empty()) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    return Date::FromCivil(tm.tm_year + 1900, static_cast<uint32_t>(tm.tm_mon + 1),
                           static_cast<uint32_t>(tm.tm_mday));
  }
  if (auto d = Date::Parse(value)) {
    return d;
  }
  diags.ReportInput(DiagCode::kBadArgument, "--as-of", "", fmt::format("`{}` is not a valid date", value))
      .WithHelp("write the date as YYYY-MM-DD, e.g. --as-of 2024-09-01");
  return std::nullopt;
}

auto RunPolicyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const DriverEnv& env) -> int {
  CLI::App app{"policy: check, evaluate, explain and test policies written in the policy language", "policy"};
  app.set_version_flag("--version", std::string("policy ") + POLICY_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 failing tests, lint warnings, files to format (fmt --check), decisions that "
      "differ (diff) or conflicts, dead rules and gaps (analyze), 2 bad usage or "
      "input (policy or case errors), 3 evaluation error "
      "(conflicting rules, ...).\nRun `policy <command> --help` for a command's options.");
  Io io{out, err, env};
  Runner check = AddCheckCommand(app, io);
  Runner eval = AddEvalCommand(app, io);
  Runner test = AddTestCommand(app, io);
  Runner format = AddFmtCommand(app, io);
  Runner lint = AddLintCommand(app, io);
  Runner diff = AddDiffCommand(app, io);
  Runner analyze = AddAnalyzeCommand(app, io);

  std::vector<std::string> argv_storage = {"policy"};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_storage) {
    argv.push_back(s.data());
  }
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << "policy " << POLICY_VERSION << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // --help on a subcommand arrives here as CallForHelp from that subcommand.
    if (e.get_exit_code() == 0) {
      for (CLI::App* sub : app.get_subcommands()) {
        out << sub->help();
        return kExitOk;
      }
      out << app.help();
      return kExitOk;
    }
    err << "error: " << e.what() << "\n";
    err << "run `policy --help` for usage\n";
    return kExitInputError;
  }
  try {
    for (CLI::App* sub : app.get_subcommands()) {
      const std::string name = sub->get_name();
      if (name == "check") {
        return check();
      }
      if (name == "fmt") {
        return format();
      }
      if (name == "lint") {
        return lint();
      }
      if (name == "diff") {
        return diff();
      }
      if (name == "analyze") {
        return analyze();
      }
      if (name == "eval") {
        return eval();
      }
      if (name == "test") {
        return test();
      }
    }
  } catch (const std::exception& e) {
    err << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitInputError;
}

}  // namespace policy::cli

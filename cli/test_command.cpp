// `policy test PATHS`: run the `test` blocks written in the policies.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace policy::cli {

auto AddTestCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::string format = "human";
    JitFlags jit;
    std::string filter;
    std::string as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub =
      app.add_subcommand("test", "Run the tests written in the policies (`test \"...\" { expect ... }`)");
  sub->set_version_flag("--version", std::string("policy ") + POLICY_VERSION);
  sub->add_option("paths", options->paths, "Policy files or directories")->required();
  sub->add_option("--filter", options->filter,
                  "Only tests whose module or name contains this text (`std.` runs the stdlib's)");
  sub->add_option("--as-of", options->as_of,
                  "Evaluation date for tests without `as of` (default: today, UTC)");
  options->jit.AddTo(sub,
                     "Compile the decisions to machine code (LLVM) first; says on standard error which "
                     "decisions run on the interpreter instead");
  sub->add_option("--format", options->format, "Output as `human` (default) or `json`")
      ->check(CLI::IsMember({"human", "json"}));
  return Runner([options, &io]() {
    const DiagFormat format = ParseFormat(options->format);
    const std::shared_ptr<const Engine> engine =
        LoadOrReport(io, options->paths, format, options->jit.Tier());
    if (!engine) {
      return kExitInputError;
    }
    DiagnosticSink diags;
    const auto as_of = ResolveAsOf(options->as_of, io.env, diags);
    if (!as_of) {
      PrintDiagnostics(io, diags, engine->sources(), format);
      return kExitInputError;
    }
    const auto results = engine->RunTests(options->filter, *as_of);
    size_t passed = 0;
    size_t failed = 0;
    nlohmann::ordered_json json_results = nlohmann::ordered_json::array();
    std::vector<Diagnostic> failures;
    for (const TestResult& r : results) {
      (r.passed ? passed : failed)++;
      if (format == DiagFormat::kJson) {
        nlohmann::ordered_json j;
        j["module"] = r.module;
        j["test"] = r.name;
        j["passed"] = r.passed;
        if (r.failure) {
          j["failure"] = nlohmann::ordered_json::parse(DiagnosticToJson(*r.failure, engine->sources()));
        }
        json_results.push_back(j);
      } else {
        io.out << fmt::format("{} {}: {}\n", r.passed ? "PASS" : "FAIL", r.module, r.name);
        if (r.failure) {
          failures.push_back(*r.failure);
        }
      }
    }
    if (format == DiagFormat::kJson) {
      nlohmann::ordered_json j;
      j["passed"] = passed;
      j["failed"] = failed;
      j["tests"] = json_results;
      io.out << j.dump(2) << "\n";
    } else {
      if (!failures.empty()) {
        io.out << "\n" << RenderDiagnostics(failures, engine->sources(), DiagFormat::kHuman, io.env.color);
      }
      io.out << fmt::format("{} passed, {} failed\n", passed, failed);
    }
    return failed > 0 ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli

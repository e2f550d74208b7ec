// `policy test PATHS`: run the `test` blocks written in the policies.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"

namespace policy::cli {

auto AddTestCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    FormatOption format;
    JitFlags jit;
    std::string filter;
    AsOfOption as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub =
      AddSubcommand(app, "test", "Run the tests written in the policies (`test \"...\" { expect ... }`)");
  AddPathsOption(sub, options->paths);
  sub->add_option("--filter", options->filter,
                  "Only tests whose module or name contains this text (`std.` runs the stdlib's)");
  // A test that says `as of` runs on its own date; the others on this one.
  options->as_of.AddTo(sub);
  options->jit.AddTo(sub);
  options->format.AddTo(sub, "Output", {DiagFormat::kHuman, DiagFormat::kJson});
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    const std::shared_ptr<const Engine> engine =
        LoadOrReport(io, options->paths, format, options->jit.Tier());
    if (!engine) {
      return kExitInputError;
    }
    const auto as_of = ResolveAsOfOrReport(io, options->as_of, *engine, format);
    if (!as_of) {
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

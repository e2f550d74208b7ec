// `policy test PATHS`: run the `test` blocks written in the policies.
//   --format human   PASS/FAIL per test, then the failures as diagnostics
//   --format json    one document: counts and every test with its failure
//   --format junit   JUnit XML as GitLab, Jenkins and Azure Pipelines read it: one testsuite per
//                    module, one testcase per `test` block, the failing expectation and where it is
//   --coverage       also what the tests exercise (cli/coverage_report.h), as lcov or JSON, to
//                    --coverage-output; the summary line on standard error
// Exit 0 when every test passed, 1 when one failed, 2 when the policies do not compile.
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/coverage_report.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"

namespace policy::cli {
namespace {

// Text as XML 1.0 allows it in attributes and content: the five entities escaped, the control
// characters XML cannot hold at all replaced.
auto Xml(std::string_view text) -> std::string {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '?' : c;
    }
  }
  return out;
}

// The one line a CI server lists for a failure: what did not hold and the values involved
// ("this expectation does not hold: left side: 24; right side: 20").
auto FailureMessage(const Diagnostic& d) -> std::string {
  std::string out = d.primary_text.empty() ? d.message : d.primary_text;
  for (size_t i = 0; i < d.notes.size(); ++i) {
    out += (i == 0 ? ": " : "; ") + d.notes[i];
  }
  std::string collapsed;
  for (const char c : out) {
    if (c == '\n' || (c == ' ' && !collapsed.empty() && collapsed.back() == ' ')) {
      continue;
    }
    collapsed += c;
  }
  return collapsed;
}

auto Junit(const std::vector<TestResult>& results, const SourceManager& sources) -> std::string {
  std::map<std::string, std::vector<const TestResult*>> by_module;
  size_t failed = 0;
  for (const TestResult& r : results) {
    by_module[r.module].push_back(&r);
    failed += r.passed ? 0 : 1;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"policy test\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
                     results.size(), failed);
  for (const auto& [module, tests] : by_module) {
    size_t module_failed = 0;
    for (const TestResult* t : tests) {
      module_failed += t->passed ? 0 : 1;
    }
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                       Xml(module), tests.size(), module_failed);
    for (const TestResult* t : tests) {
      std::string where;
      if (t->span.valid()) {
        const SourceBuffer& file = sources.Get(t->span.file);
        where = fmt::format(" file=\"{}\" line=\"{}\"", Xml(file.path()), file.LineColAt(t->span.begin).line);
      }
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"{}", Xml(module), Xml(t->name), where);
      if (t->passed) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      const std::string message = t->failure ? FailureMessage(*t->failure) : "test failed";
      const std::string type = t->failure ? GetKindInfo(t->failure->code).code : "failure";
      const std::string detail =
          t->failure ? RenderDiagnostics({*t->failure}, sources, DiagFormat::kHuman, false) : message;
      out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", Xml(message), Xml(type),
                         Xml(detail));
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace

auto AddTestCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::string format = "human";
    std::string output;
    JitFlags jit;
    std::string filter;
    AsOfOption as_of;
    bool coverage = false;
    std::string coverage_format = "lcov";
    std::string coverage_output;
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
  sub->add_option("--format", options->format,
                  "Output: human (default), json, or junit (JUnit XML for CI servers)")
      ->check(CLI::IsMember({"human", "json", "junit"}));
  sub->add_option("--output,-o", options->output,
                  "Write the report to this file (the summary still goes to standard error)");
  sub->add_flag("--coverage", options->coverage,
                "Also measure which rules the tests make apply and which conditions they see both true and "
                "false; written to --coverage-output, a summary on standard error");
  sub->add_option("--coverage-format", options->coverage_format, "With --coverage: lcov (default) or json")
      ->check(CLI::IsMember({"lcov", "json"}));
  sub->add_option(
      "--coverage-output", options->coverage_output,
      "With --coverage: the file to write, - for standard output (default policy-coverage.lcov or "
      "policy-coverage.json)");
  return Runner([options, &io]() {
    // Errors that stop the run (a policy that does not compile) are diagnostics; in json they
    // are a document for tools, in junit (a file for a CI server) they are read by a person.
    const DiagFormat format = options->format == "json" ? DiagFormat::kJson : DiagFormat::kHuman;
    const std::shared_ptr<const Engine> engine =
        LoadOrReport(io, options->paths, format, options->jit.Tier());
    if (!engine) {
      return kExitInputError;
    }
    const auto as_of = ResolveAsOfOrReport(io, options->as_of, *engine, format);
    if (!as_of) {
      return kExitInputError;
    }
    std::optional<TestCoverage> coverage;
    if (options->coverage) {
      coverage.emplace(engine->program().ir());
    }
    const auto results = engine->RunTests(options->filter, *as_of, coverage ? &*coverage : nullptr);
    size_t passed = 0;
    size_t failed = 0;
    nlohmann::ordered_json json_results = nlohmann::ordered_json::array();
    std::vector<Diagnostic> failures;
    std::ostringstream report;
    for (const TestResult& r : results) {
      (r.passed ? passed : failed)++;
      if (options->format == "json") {
        nlohmann::ordered_json j;
        j["module"] = r.module;
        j["test"] = r.name;
        j["passed"] = r.passed;
        if (r.failure) {
          j["failure"] = nlohmann::ordered_json::parse(DiagnosticToJson(*r.failure, engine->sources()));
        }
        json_results.push_back(j);
      } else if (options->format == "human") {
        report << fmt::format("{} {}: {}\n", r.passed ? "PASS" : "FAIL", r.module, r.name);
        if (r.failure) {
          failures.push_back(*r.failure);
        }
      }
    }
    const std::string summary = fmt::format("{} passed, {} failed\n", passed, failed);
    if (options->format == "json") {
      nlohmann::ordered_json j;
      j["passed"] = passed;
      j["failed"] = failed;
      j["tests"] = json_results;
      report << j.dump(2) << "\n";
    } else if (options->format == "junit") {
      report << Junit(results, engine->sources());
    } else {
      if (!failures.empty()) {
        report << "\n" << RenderDiagnostics(failures, engine->sources(), DiagFormat::kHuman, io.env.color);
      }
      report << summary;
    }
    if (options->output.empty()) {
      io.out << report.str();
    } else {
      std::ofstream file(options->output, std::ios::binary);
      file << report.str();
      if (!file.flush()) {
        io.err << fmt::format("error: cannot write `{}`\n", options->output);
        return kExitInputError;
      }
    }
    if (options->format == "junit" || !options->output.empty()) {
      io.err << summary;
    }
    if (coverage) {
      const bool json = options->coverage_format == "json";
      const std::string path = !options->coverage_output.empty() ? options->coverage_output
                               : json                            ? "policy-coverage.json"
                                                                 : "policy-coverage.lcov";
      const std::string text = json ? CoverageJson(*engine, *coverage) : CoverageLcov(*engine, *coverage);
      if (path == "-") {
        io.out << text;
      } else {
        std::ofstream file(path, std::ios::binary);
        file << text;
        if (!file.flush()) {
          io.err << fmt::format("error: cannot write `{}`\n", path);
          return kExitInputError;
        }
      }
      io.err << CoverageSummaryLine(SummarizeCoverage(*engine, *coverage)) << fmt::format(" ({})\n", path);
    }
    return failed > 0 ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli

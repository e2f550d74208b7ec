// `policy review POLICY_PATHS`: what a change to the policies does, for the reviewer of a merge
// request (cli/review.h builds the report, cli/render_review.h writes it).
//   policy review policies                             the work tree against HEAD
//   policy review --base origin/main --head HEAD --format markdown policies
// Exit 0 when nothing fails per --fail-on, 1 when something does, 2 on bad input (a revision
// that does not exist, a path absent on one side, a base whose policies do not compile).
#include <fmt/format.h>

#include <fstream>
#include <optional>

#include "cli/case_files.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_review.h"
#include "cli/review.h"

namespace policy::cli {

namespace {

// `--population`: the decisions of a case record the change makes decide differently (or could
// not show the same), on every case of the file. False with `*error` on bad input.
auto AddPopulation(ReviewReport& report, const std::string& file, const std::string& format,
                   std::string* error) -> bool {
  report.population_file = file;
  const auto& old_engine = report.base.loaded.engine;
  const auto& new_engine = report.head.loaded.engine;
  if (!old_engine || !new_engine) {
    report.population_note = "not evaluated: a side does not compile";
    return true;
  }
  PopulationDiffOptions options;
  options.cases = file;
  options.input_format = format;
  options.as_of = report.as_of.value_or(report.today);
  for (const ReviewChange& c : report.changes) {
    const DecisionDiff& d = c.diff;
    const bool compared =
        d.status == DecisionDiff::Status::kDifferent || d.status == DecisionDiff::Status::kNotComparable;
    const auto in_old = old_engine->FindDecision(d.decision);
    const auto in_new = new_engine->FindDecision(d.decision);
    if (!compared || d.constant || !in_old || !in_new) {
      continue;
    }
    const ir::Decision& decision = new_engine->program().ir().decisions[*in_new];
    if (decision.params.size() == 1 &&
        new_engine->program().ir().types.kind(decision.params[0]) == Kind::kRecord) {
      options.decisions.push_back(d.decision);
    }
  }
  if (options.decisions.empty()) {
    report.population_note = "no decision of a case record decides differently";
    return true;
  }
  auto diff = ComputePopulationDiff(*old_engine, *new_engine, options, error);
  if (!diff) {
    return false;
  }
  report.population = std::move(*diff);
  return true;
}

}  // namespace

auto AddReviewCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::string base = "HEAD";
    std::string head;
    bool worktree = false;
    std::vector<std::string> cases;
    std::string population;
    std::string population_format;
    AsOfOption as_of;
    std::string format = "human";
    std::string fail_on = "error";
    std::string output;
    std::vector<std::string> also;
    size_t budget = 2000;
    unsigned timeout_ms = 10000;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(
      app, "review",
      "Review a change to the policies: what it makes decide differently (with witness cases and the law "
      "they cite), and the errors, failing tests and warnings it introduces");
  AddPathsOption(sub, options->paths);
  sub->add_option("--base", options->base,
                  "The revision the change is reviewed against, through its merge base with the head "
                  "(default HEAD)");
  CLI::Option* head =
      sub->add_option("--head", options->head, "The revision under review (default: the work tree)");
  sub->add_flag("--worktree", options->worktree, "Review the work tree, as it is on disk (the default)")
      ->excludes(head);
  sub->add_option("--cases", options->cases,
                  "Case records (JSON files or directories) the search for witnesses starts from (default: "
                  "the examples/cases beside or above the policies, else in the working directory)");
  sub->add_option(
      "--population", options->population,
      "A JSON Lines or CSV file of cases (as for `policy batch`): how many of them each changed decision "
      "decides differently, and from what to what (as of --as-of, else today)");
  sub->add_option("--population-format", options->population_format,
                  "The population file's format: jsonl or csv (default: by its name)")
      ->check(CLI::IsMember({"jsonl", "csv"}));
  options->as_of.AddTo(sub,
                       "Without it, decisions are compared on every date from 0001-01-01 to 9999-12-31, and "
                       "lint and the tests run as of today");
  sub->add_option("--format", options->format, "Report: human (default), markdown, json or sarif")
      ->check(CLI::IsMember({"human", "markdown", "json", "sarif"}));
  sub->add_option("--fail-on", options->fail_on,
                  "Exit 1 on: error (default: the head does not compile, a test newly fails, a new error), "
                  "warning (also a new warning), change (also a decision that decides differently)")
      ->check(CLI::IsMember({"error", "warning", "change"}));
  sub->add_option("--output,-o", options->output, "Write the report to this file instead of standard output");
  sub->add_option("--write", options->also,
                  "Also write the report in another format to a file, in the same run: FORMAT:FILE, e.g. "
                  "--write sarif:review.sarif --write markdown:review.md (repeatable)");
  AddCountOption(sub, "--budget", options->budget,
                 "Cases the diff tries per decision Z3 does not settle (default 2000, at most 1000000)",
                 1000000);
  sub->add_option("--timeout", options->timeout_ms,
                  "Z3 time limit per question, in milliseconds (default 10000)");
  return Runner([options, &io]() {
    ReviewOptions review;
    review.base = options->base;
    if (!options->head.empty()) {
      review.head = options->head;
    }
    review.paths = options->paths;
    DiagnosticSink date_diags;
    if (options->as_of.given()) {
      const auto as_of = options->as_of.Resolve(io.env, date_diags);
      if (!as_of) {
        io.err << "error: " << date_diags.diagnostics().front().message << "\n";
        return kExitInputError;
      }
      review.as_of = *as_of;
    }
    const auto today = ResolveAsOf(review.as_of ? review.as_of->ToString() : "", io.env, date_diags);
    review.today = today.value_or(Date::FromDays(0));
    review.budget = options->budget;
    review.timeout_ms = options->timeout_ms;
    if (!ReadSeedsOrReport(io.err, options->cases, options->paths, &review.seed_names, &review.seeds)) {
      return kExitInputError;
    }
    // The extra outputs are checked before the review runs: a typo should not cost its minutes.
    const auto parse_format = [](const std::string& name) -> std::optional<ReviewFormat> {
      if (name == "human") {
        return ReviewFormat::kHuman;
      }
      if (name == "markdown") {
        return ReviewFormat::kMarkdown;
      }
      if (name == "json") {
        return ReviewFormat::kJson;
      }
      if (name == "sarif") {
        return ReviewFormat::kSarif;
      }
      return std::nullopt;
    };
    std::vector<std::pair<ReviewFormat, std::string>> also;
    for (const std::string& spec : options->also) {
      const size_t colon = spec.find(':');
      const auto format = colon == std::string::npos ? std::nullopt : parse_format(spec.substr(0, colon));
      if (!format || colon + 1 == spec.size()) {
        io.err << fmt::format(
            "error: --write `{}`: expected FORMAT:FILE with FORMAT human, markdown, json or sarif\n", spec);
        return kExitInputError;
      }
      also.emplace_back(*format, spec.substr(colon + 1));
    }
    std::string error;
    auto report = BuildReview(review, &error);
    if (!report) {
      io.err << "error: " << error << "\n";
      return kExitInputError;
    }
    if (!options->population.empty()) {
      // The population is a file of the work tree (or standard input), whichever side is reviewed.
      std::string population_error;
      if (!AddPopulation(*report, options->population, options->population_format, &population_error)) {
        io.err << population_error << "\n";
        return kExitInputError;
      }
    }
    const ReviewFormat format = parse_format(options->format).value_or(ReviewFormat::kHuman);
    if (options->output.empty()) {
      RenderReview(io.out, *report, format);
    } else {
      also.emplace(also.begin(), format, options->output);
    }
    for (const auto& [file_format, path] : also) {
      std::ofstream file(path, std::ios::binary);
      RenderReview(file, *report, file_format);
      if (!file.flush()) {
        io.err << fmt::format("error: cannot write `{}`\n", path);
        return kExitInputError;
      }
    }
    if (format != ReviewFormat::kHuman || !options->output.empty()) {
      io.err << ReviewVerdict(*report) << "\n";
    }
    if (!report->base.loaded.engine) {
      // The head was reviewed, but nothing could be compared: not a pass.
      io.err << "error: the policies do not compile on the base, " << report->base.label << "\n";
      return kExitInputError;
    }
    bool fail = !report->head.loaded.engine;
    for (const ReviewFinding& f : report->findings) {
      if (f.is_new && (f.tool == "test" || f.diagnostic.severity == Severity::kError ||
                       (options->fail_on != "error" && f.diagnostic.severity == Severity::kWarning))) {
        fail = true;
      }
    }
    if (options->fail_on == "change") {
      for (const ReviewChange& c : report->changes) {
        fail = fail || c.diff.status == DecisionDiff::Status::kDifferent ||
               c.diff.status == DecisionDiff::Status::kOnlyInOld;
      }
    }
    return fail ? kExitFindings : kExitOk;
  });
}

}  // namespace policy::cli

#include "cli/review.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "cli/git_revision.h"
#include "cli/render_findings.h"
#include "compiler/ir/fingerprint.h"
#include "runtime/analysis/analyze.h"
#include "runtime/engine/coverage.h"
#include "runtime/engine/lint.h"

namespace policy::cli {
namespace {

namespace fs = std::filesystem;

// The declaration a diagnostic is in: the last decision, function or constant of its file
// declared before it, and within a decision the last rule before it. Spans of declarations
// start at their names, so this is the enclosing one for anything inside a body.
auto EnclosingDeclaration(const Engine& engine, const Span& at) -> std::string {
  if (!at.valid()) {
    return "";
  }
  const ir::Program& ir = engine.program().ir();
  struct Candidate {
    std::string name;
    uint32_t begin = 0;
    const ir::Decision* decision = nullptr;
  };
  std::optional<Candidate> best;
  const auto consider = [&](const Span& span, std::string name, const ir::Decision* decision) {
    if (span.file == at.file && span.begin <= at.begin && (!best || span.begin >= best->begin)) {
      best = Candidate{std::move(name), span.begin, decision};
    }
  };
  for (const ir::Function& f : ir.functions) {
    consider(f.span, "def " + f.name, nullptr);
  }
  for (const ir::Global& g : ir.globals) {
    consider(g.span, "const " + g.name, nullptr);
  }
  for (const ir::Decision& d : ir.decisions) {
    consider(d.span, "decision " + d.name, &d);
  }
  if (!best) {
    return "";
  }
  if (best->decision == nullptr) {
    return best->name;
  }
  const ir::Rule* rule = nullptr;
  for (const ir::Rule& r : best->decision->rules) {
    if (r.span.file == at.file && r.span.begin <= at.begin &&
        (rule == nullptr || r.span.begin >= rule->span.begin)) {
      rule = &r;
    }
  }
  return rule == nullptr
             ? best->name
             : fmt::format("{}, {} {}", best->name, rule->is_exception ? "exception" : "rule", rule->name);
}

auto FileOf(const SourceManager& sources, const Diagnostic& d) -> std::string {
  return d.primary.valid() ? sources.Get(d.primary.file).path() : d.file;
}

// How a finding is recognised on the other side: never its line.
auto MatchKey(const ReviewFinding& f, const SourceManager& sources) -> std::string {
  if (f.tool == "test") {
    return "test\n" + f.where;
  }
  return fmt::format("{}\n{}\n{}\n{}\n{}", f.tool, GetKindInfo(f.diagnostic.code).code,
                     FileOf(sources, f.diagnostic), f.where, f.diagnostic.message);
}

// Everything one side has to say about itself: its errors when it does not compile, else its
// failing tests, lint warnings and analyze findings on `analyse`.
auto Findings(const ReviewSide& side, const ReviewOptions& options, const std::vector<std::string>& analyse,
              size_t* tests_run, size_t* tests_failed, TestCoverage* coverage) -> std::vector<ReviewFinding> {
  std::vector<ReviewFinding> out;
  const Engine* engine = side.loaded.engine.get();
  if (engine == nullptr) {
    for (const Diagnostic& d : side.loaded.diagnostics.Sorted()) {
      out.push_back({"check", d, "", true});
    }
    return out;
  }
  for (const TestResult& t : engine->RunTests("", options.today, coverage)) {
    ++*tests_run;
    if (!t.passed) {
      ++*tests_failed;
      Diagnostic d = t.failure.value_or(Diagnostic{});
      if (!t.failure) {
        d.primary = t.span;
        d.message = "test failed";
      }
      out.push_back({"test", std::move(d), fmt::format("{} \"{}\"", t.module, t.name), true});
    }
  }
  for (Diagnostic& d : Lint(*engine, options.today)) {
    std::string where = EnclosingDeclaration(*engine, d.primary);
    out.push_back({"lint", std::move(d), std::move(where), true});
  }
  if (!analyse.empty()) {
    AnalyzeOptions analyze;
    analyze.as_of = options.as_of;
    analyze.search_as_of = options.today;
    analyze.seeds = options.seeds;
    analyze.seed_names = options.seed_names;
    analyze.decisions = analyse;
    analyze.timeout_ms = options.timeout_ms;
    analyze.total_ms = options.analyze_time_ms;
    const DiagnosticSink found = AnalysisDiagnostics(*engine, AnalyzePolicies(*engine, analyze));
    for (const Diagnostic& d : found.Sorted()) {
      out.push_back({"analyze", d, EnclosingDeclaration(*engine, d.primary), true});
    }
  }
  return out;
}

auto Cite(const Engine& engine, const ir::Decision& d, const SideResult& side) -> std::vector<DecidingRule> {
  std::vector<DecidingRule> out;
  const auto where = [&engine](const Span& span, DecidingRule& r) {
    if (span.valid()) {
      const SourceBuffer& file = engine.sources().Get(span.file);
      r.file = file.path();
      r.line = file.LineColAt(span.begin).line;
    }
  };
  for (const uint32_t i : side.deciding_rules) {
    const ir::Rule& rule = d.rules[i];
    // A parameter's values are named by their dates: `version_2` is the compiler's name, not the
    // policy writer's (issue 34: no internal names in any message).
    DecidingRule r =
        d.is_parameter
            ? DecidingRule{"value", rule.effective.ToString(), rule.source, rule.doc, "", 0}
            : DecidingRule{rule.is_exception ? "exception" : "rule", rule.name, rule.source, rule.doc, "", 0};
    where(rule.span, r);
    out.push_back(std::move(r));
  }
  if (side.deciding_rules.empty() && !side.rules.empty() && side.rules.front().rfind("the default", 0) == 0) {
    DecidingRule r{"default", "", d.source, "", "", 0};
    where(d.span, r);
    out.push_back(std::move(r));
  }
  return out;
}

// The rules of the touched decisions that the change edited (or added) and that no test of the
// head makes apply (a test whose case only sees the condition fail does not exercise what the
// rule does): a reviewer should ask for a test.
auto UntestedChangedRules(const Engine& head, const Engine* base, const std::vector<std::string>& touched,
                          const TestCoverage& coverage) -> std::vector<UntestedRule> {
  std::vector<UntestedRule> out;
  for (const std::string& name : touched) {
    const uint32_t d = *head.FindDecision(name);
    const ir::Decision& decision = head.program().ir().decisions[d];
    if (decision.is_parameter) {
      continue;  // its versions apply by date, not by case
    }
    const std::vector<std::string> now = ir::RuleDefinitions(head.program().ir(), d);
    std::map<std::string, std::string> before;  // rule name -> its definition on the base
    if (const auto old = base != nullptr ? base->FindDecision(name) : std::nullopt) {
      const ir::Decision& old_decision = base->program().ir().decisions[*old];
      const std::vector<std::string> texts = ir::RuleDefinitions(base->program().ir(), *old);
      for (size_t i = 0; i < texts.size(); ++i) {
        before[old_decision.rules[i].name] = texts[i];
      }
    }
    for (uint32_t r = 0; r < decision.rules.size(); ++r) {
      const ir::Rule& rule = decision.rules[r];
      const auto was = before.find(rule.name);
      const bool changed = was == before.end() || was->second != now[r];
      if (!changed || coverage.rules()[d][r].applied > 0) {
        continue;
      }
      UntestedRule u{
          name, rule.is_exception ? "exception" : "rule", rule.name, "", 0, coverage.rules()[d][r].reached};
      if (rule.span.valid()) {
        const SourceBuffer& file = head.sources().Get(rule.span.file);
        u.file = file.path();
        u.line = file.LineColAt(rule.span.begin).line;
      }
      out.push_back(std::move(u));
    }
  }
  return out;
}

auto LoadSide(const std::string& label, const std::string& commit, const std::vector<std::string>& paths,
              std::string* error) -> std::optional<ReviewSide> {
  ReviewSide side;
  side.label = label;
  side.commit = commit;
  if (commit.empty()) {
    for (const std::string& p : paths) {
      std::error_code ec;
      if (!fs::exists(p, ec)) {
        *error = fmt::format("`{}` does not exist in the work tree", p);
        return std::nullopt;
      }
    }
    side.loaded = Engine::Load(paths);
    return side;
  }
  const auto files = ReadPolicyFilesAt(commit, paths, error);
  if (!files) {
    *error = fmt::format("{} ({}): {}", label, commit.substr(0, 12), *error);
    return std::nullopt;
  }
  side.loaded = Engine::LoadSources(*files);
  return side;
}

}  // namespace

auto DescribeChange(const Engine& old_set, const Engine& new_set, DecisionDiff d) -> ReviewChange {
  ReviewChange change;
  const auto old_index = d.constant ? std::nullopt : old_set.FindDecision(d.decision);
  const auto new_index = d.constant ? std::nullopt : new_set.FindDecision(d.decision);
  if (old_index) {
    change.old_rules = Cite(old_set, old_set.program().ir().decisions[*old_index], d.old_side);
  }
  if (new_index) {
    change.new_rules = Cite(new_set, new_set.program().ir().decisions[*new_index], d.new_side);
  }
  const Engine& located = new_index ? new_set : old_set;
  if (const auto index = new_index ? new_index : old_index) {
    const Span span = located.program().ir().decisions[*index].span;
    if (span.valid()) {
      const SourceBuffer& file = located.sources().Get(span.file);
      change.file = file.path();
      change.line = file.LineColAt(span.begin).line;
      change.column = file.LineColAt(span.begin).column;
    }
  }
  // The rule that decides it on the head is where a reviewer looks first.
  if (!change.new_rules.empty() && !change.new_rules.front().file.empty()) {
    change.file = change.new_rules.front().file;
    change.line = change.new_rules.front().line;
    change.column = 1;
  }
  change.diff = std::move(d);
  return change;
}

auto BuildReview(const ReviewOptions& options, std::string* error) -> std::optional<ReviewReport> {
  std::optional<std::string> head_commit;
  if (options.head) {
    head_commit = ResolveCommit(*options.head, error);
    if (!head_commit) {
      return std::nullopt;
    }
  }
  const auto base_tip = ResolveCommit(options.base, error);
  if (!base_tip) {
    return std::nullopt;
  }
  // Against the merge base, as a merge request shows it: what the base branch did since is not
  // this change's doing.
  std::optional<std::string> base_commit = *base_tip;
  const auto head_tip = head_commit ? head_commit : ResolveCommit("HEAD", error);
  if (head_tip) {
    base_commit = MergeBase(*base_tip, *head_tip, error);
    if (!base_commit) {
      return std::nullopt;
    }
  } else if (options.head) {
    return std::nullopt;
  }
  ReviewReport report;
  report.as_of = options.as_of;
  report.today = options.today;
  report.paths = options.paths;
  auto base = LoadSide(options.base, *base_commit, options.paths, error);
  auto head =
      base ? LoadSide(options.head.value_or("the work tree"), head_commit.value_or(""), options.paths, error)
           : std::nullopt;
  if (!base || !head) {
    return std::nullopt;
  }
  report.base = std::move(*base);
  report.head = std::move(*head);
  const Engine* old_set = report.base.loaded.engine.get();
  const Engine* new_set = report.head.loaded.engine.get();

  // What the change touches: the head's decisions whose definitions differ from the base's, or
  // that are new (all of them when the base does not compile).
  std::vector<std::string> touched;
  if (new_set != nullptr) {
    const std::vector<std::string> new_definitions = ir::DecisionDefinitions(new_set->program().ir());
    const std::vector<std::string> old_definitions =
        old_set ? ir::DecisionDefinitions(old_set->program().ir()) : std::vector<std::string>{};
    const auto& decisions = new_set->program().ir().decisions;
    for (uint32_t i = 0; i < decisions.size(); ++i) {
      if (decisions[i].name.rfind("std.", 0) == 0) {
        continue;
      }
      const auto old_index = old_set ? old_set->FindDecision(decisions[i].name) : std::nullopt;
      if (!old_index || old_definitions[*old_index] != new_definitions[i]) {
        touched.push_back(decisions[i].name);
      } else {
        ++report.untouched;
      }
    }
  }
  std::vector<std::string> touched_on_base;
  if (old_set != nullptr) {
    for (const std::string& name : touched) {
      if (old_set->FindDecision(name)) {
        touched_on_base.push_back(name);
      }
    }
  }
  report.analysed = touched;

  size_t base_tests = 0;
  size_t base_failed = 0;
  const std::vector<ReviewFinding> before =
      Findings(report.base, options, touched_on_base, &base_tests, &base_failed, nullptr);
  std::optional<TestCoverage> coverage;
  if (new_set != nullptr) {
    coverage.emplace(new_set->program().ir());
  }
  std::vector<ReviewFinding> after = Findings(report.head, options, touched, &report.tests_run,
                                              &report.tests_failed, coverage ? &*coverage : nullptr);
  if (coverage) {
    report.untested = UntestedChangedRules(*new_set, old_set, touched, *coverage);
  }
  // New or existing: each finding of the base accounts for one equal finding of the head.
  std::multiset<std::string> remaining;
  if (old_set != nullptr) {
    for (const ReviewFinding& f : before) {
      remaining.insert(MatchKey(f, *report.base.loaded.sources));
    }
  }
  for (ReviewFinding& f : after) {
    const auto it = remaining.find(MatchKey(f, *report.head.loaded.sources));
    if (it != remaining.end()) {
      f.is_new = false;
      remaining.erase(it);
    }
  }
  report.resolved = remaining.size();
  report.findings = std::move(after);

  if (old_set != nullptr && new_set != nullptr) {
    DiffOptions diff;
    diff.as_of = options.as_of;
    diff.today = options.today;
    diff.seeds = options.seeds;
    diff.seed_names = options.seed_names;
    diff.budget = options.budget;
    diff.timeout_ms = options.timeout_ms;
    for (DecisionDiff& d : DiffPolicySets(*old_set, *new_set, diff)) {
      if (d.status == DecisionDiff::Status::kSame && d.method == "identical") {
        continue;  // counted in `untouched` above
      }
      if (d.status == DecisionDiff::Status::kSame && (d.proven || d.constant)) {
        // A parameter is always compared over its dates (the diff does not take it as identical),
        // so "touched" is said only of what the definitions say was.
        if (std::find(touched.begin(), touched.end(), d.decision) != touched.end()) {
          report.same.push_back(d.decision);
        }
        continue;
      }
      report.changes.push_back(DescribeChange(*old_set, *new_set, std::move(d)));
    }
  }
  return report;
}

}  // namespace policy::cli

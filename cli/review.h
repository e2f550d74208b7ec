// `policy review`: what a change to the policies does, in one report for the reviewer of a merge
// request. Two versions of the policy tree (a git revision, and another revision or the work
// tree) are loaded side by side, and on both:
// - check: the errors of a version that does not compile;
// - tests: the `test` blocks that fail;
// - lint, and analyze on the decisions the change touches: warnings, conflicts, dead rules, gaps;
// - diff: every decision and constant the change touches, compared on every date (or one), with a
//   witness case and date and the rules, citations and quoted sentences that decide it before
//   and after.
// A finding of the head that the base has too is "existing", not "new": findings are matched by
// tool, code, file, the declaration they are in and their message, never by line number, so
// moving a rule does not make its old warnings new. The rendering is in render_review.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/population_diff.h"
#include "compiler/diag/diagnostic.h"
#include "runtime/analysis/diff.h"
#include "runtime/engine/engine.h"

namespace policy::cli {

struct ReviewOptions {
  std::string base = "HEAD";        // a revision; the review is against its merge base with the head
  std::optional<std::string> head;  // a revision; nullopt: the work tree
  std::vector<std::string> paths;   // the policy files and directories, as in the work tree
  std::vector<std::string> seeds;   // example case records (JSON text) the diff's search starts from
  std::vector<std::string> seed_names;
  std::optional<Date> as_of;         // nullopt: the diff compares every date
  Date today;                        // the date lint and the tests run on (a test's own `as of` first)
  size_t budget = 2000;              // the diff's search: cases per decision
  unsigned timeout_ms = 10000;       // per Z3 question (diff and analyze)
  unsigned analyze_time_ms = 60000;  // for all analyze questions of one side
};

struct ReviewSide {
  std::string label;   // "HEAD", "origin/main", "the work tree"
  std::string commit;  // the full hash reviewed, "" for the work tree
  LoadResult loaded;   // loaded.engine is null when the policies do not compile
};

struct ReviewFinding {
  std::string tool;  // "check", "test", "lint" or "analyze"
  Diagnostic diagnostic;
  std::string where;  // the declaration it is in: "decision hk.employment.x, rule y", or ""
  bool is_new = true;
};

// A rule (or the default) that gives a decision its value on one side, for the report to cite.
struct DecidingRule {
  std::string kind;    // "rule", "exception", "default", or "value" (of a parameter)
  std::string name;    // "" for the default; a parameter's value: its period ("from 2027-01-01")
  std::string source;  // the citation, may be empty
  std::string quote;   // the doc comment: the sentence of the law it encodes
  std::string file;    // where it is, on its side
  uint32_t line = 0;
};

// A rule the change edited or added that no `test` block of the head makes apply: a reviewer
// should ask for a test.
struct UntestedRule {
  std::string decision;
  std::string kind;  // "rule" or "exception"
  std::string name;
  std::string file;
  uint32_t line = 0;
  uint32_t reached = 0;  // evaluations in the tests where its condition was evaluated (and failed)
};

struct ReviewChange {
  DecisionDiff diff;
  std::vector<DecidingRule> old_rules;
  std::vector<DecidingRule> new_rules;
  std::string file;  // the decision on the head (the base for a removed one), for SARIF
  uint32_t line = 0;
  uint32_t column = 0;
};

struct ReviewReport {
  ReviewSide base;
  ReviewSide head;
  std::vector<ReviewFinding> findings;  // the head's, new and existing
  size_t resolved = 0;                  // the base's findings the head no longer has
  size_t tests_run = 0;                 // on the head
  size_t tests_failed = 0;
  std::vector<ReviewChange> changes;   // decisions and constants that differ, were added or removed,
                                       // or could not be shown to be the same
  std::vector<std::string> same;       // touched, and proven to decide the same
  size_t untouched = 0;                // identical definitions: not compared further
  std::vector<std::string> analysed;   // the decisions analyze looked at
  std::vector<UntestedRule> untested;  // rules the change edited or added that no test makes apply
  std::optional<Date> as_of;
  Date today;                      // what lint and the tests ran as of
  std::vector<std::string> paths;  // the policy paths reviewed
  // With `--population`: the changed decisions of a case record, evaluated by both sides on every
  // case of the file, as of `--as-of` (else today). `population_note` says why there is none when
  // it was asked for.
  std::optional<PopulationDiff> population;
  std::string population_file;
  std::string population_note;
};

// A decision's diff with the rules that decide it on each side, cited from each side's policies,
// and where it is on the new side (the rule that decides it there, else the decision).
auto DescribeChange(const Engine& old_set, const Engine& new_set, DecisionDiff diff) -> ReviewChange;

// Reads both sides and reviews the change. Returns nullopt with `error` set on bad input: a
// revision that does not exist, a path absent from one side, not a git repository.
auto BuildReview(const ReviewOptions& options, std::string* error) -> std::optional<ReviewReport>;

}  // namespace policy::cli

// What the commands found, written out in one place. The command files parse their options,
// call the engine or the analysis, and hand the results here, so every command follows the
// same rules for where output goes:
// - diagnostics in `human` and `short` go to standard error, in `json` and `sarif` to standard
//   output (for tools);
// - a command whose job is to find problems (check, lint, analyze) always writes a json or
//   sarif document, an empty one when it found nothing, and in human and short ends with a
//   summary line on standard error;
// - `diff`, whose findings are not diagnostics, writes its report to standard output and its
//   summary to standard error.
// The implementations: render_findings.cpp (diagnostics, check, lint) and render_analysis.cpp
// (analyze and diff, the results of runtime/analysis).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "runtime/analysis/analyze.h"
#include "runtime/analysis/diff.h"
#include "runtime/analysis/partial.h"
#include "runtime/analysis/whatif.h"

namespace policy::cli {

// Errors that stop a command (a policy that does not compile, a bad case file, a bad --as-of):
// nothing when there are none, else `diags` in `format`, and in human the number of errors.
void PrintDiagnostics(Io& io, const DiagnosticSink& diags, const SourceManager& sources, DiagFormat format);

// Findings that are diagnostics: as PrintDiagnostics, except that json and sarif always write
// a document, and that in human and short `summary` (if not empty) follows on standard error.
void RenderFindings(Io& io, const DiagnosticSink& findings, const SourceManager& sources, DiagFormat format,
                    const std::string& summary);

// check: "ok: 2 files, 5 decisions, 3 tests" (the embedded stdlib not counted).
auto CheckSummary(const Engine& engine) -> std::string;
// lint: "ok: no warnings" or "3 warnings".
auto LintSummary(size_t warnings) -> std::string;

// analyze: how many questions had which answer, for the summary line and the exit code.
struct AnalysisTally {
  size_t analysed = 0;  // decisions
  size_t found = 0;     // conflicts, dead rules and gaps
  size_t proven = 0;    // questions answered "none"
  size_t unproven = 0;
};
auto TallyAnalysis(const std::vector<DecisionAnalysis>& results) -> AnalysisTally;
// analyze: in json every question with its answer; otherwise the findings as diagnostics (what
// was left unproven as notes) and the summary. `as_of` is the --as-of date, or null for every
// date.
void RenderAnalysis(Io& io, const Engine& engine, const std::vector<DecisionAnalysis>& results,
                    std::optional<Date> as_of, DiagFormat format);

// diff: per decision, whether it decides differently and the witness case; in human the number
// of decisions that do follows on standard error.
// `as_of`: the one date compared, or nullopt for every date.
void RenderDiff(Io& io, const std::vector<DecisionDiff>& results, std::optional<Date> as_of,
                DiagFormat format);

// The pieces of the above that `policy review` puts in its own report: analyze's findings as
// diagnostics (what it prints in human, short and sarif); one decision's diff in json and as
// text; and when it decides differently ("from 2027-01-01", "on every date").
auto AnalysisDiagnostics(const Engine& engine, const std::vector<DecisionAnalysis>& results)
    -> DiagnosticSink;
auto DiffResultJson(const DecisionDiff& result) -> nlohmann::ordered_json;
auto DiffResultText(const DecisionDiff& result, std::optional<Date> as_of) -> std::string;
auto DescribeWhenDifferent(const DecisionDiff& result, std::optional<Date> as_of) -> std::string;

// eval --what-if: the current value, the verdict and each minimal set of changes with the value
// it gives and the rules that give it; in json one document with the changed cases.
void RenderWhatIf(Io& io, const Engine& engine, uint32_t decision, const WhatIfResult& result,
                  const WhatIfOptions& options, DiagFormat format);

// eval --explain --nearest-changes: what the explanation adds to each rule whose condition failed,
// as text ("nearest change: $.a: 1 -> 2, then true") and as the rule's "nearest_change" in JSON.
auto NearestChangeNotes(const Engine& engine, uint32_t decision, const std::vector<RuleChange>& changes,
                        const WhatIfOptions& options) -> Engine::RuleNotes;

// eval --partial: decided (proven) whatever the missing fields are, or the questions still to ask.
void RenderPartial(Io& io, const Engine& engine, uint32_t decision, const PartialResult& result, Date as_of,
                   DiagFormat format);

}  // namespace policy::cli

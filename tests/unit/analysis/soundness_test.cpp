// The analyser against the interpreter on random well-typed programs (fuzz/program_gen.h): a
// proof must never be contradicted by a concrete evaluation. For each generated program the
// analyses run on the program's date; then the program's case and a few hundred mutations of it
// are evaluated, and
// - a conflict the interpreter reports must not have been proven impossible;
// - a case the interpreter leaves without a result must not contradict a proof of "no gap";
// - a rule the interpreter applies must not have been reported dead.
// Every witness the analyser reports was already reproduced by the interpreter before being
// reported (analyze.cpp), which this test also re-checks.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <random>

#include "fuzz/program_gen.h"
#include "runtime/analysis/analyze.h"
#include "runtime/engine/case_search.h"

namespace policy {
namespace {

struct Stats {
  size_t programs = 0;
  size_t proofs = 0;
  size_t found = 0;
  size_t evaluations = 0;
};

void CheckProgram(uint32_t seed, Stats& stats) {
  std::mt19937 bytes_rng(seed);
  std::vector<uint8_t> bytes(256);
  for (auto& b : bytes) {
    b = static_cast<uint8_t>(bytes_rng());
  }
  const fuzz::GeneratedProgram gp = fuzz::GenerateProgram(bytes);
  const LoadResult loaded = Engine::LoadSources({{"gen.policy", gp.policy}});
  ASSERT_TRUE(loaded.engine) << gp.policy;
  const Engine& e = *loaded.engine;
  ++stats.programs;
  AnalyzeOptions options;
  options.as_of = gp.as_of;
  options.search_as_of = gp.as_of;
  options.seeds = {gp.case_json};
  // A resource limit, not a time limit, decides when Z3 gives up, so the answers (and this test)
  // are the same on every machine however loaded; the timeout is only a safety net. No limit on
  // the whole analysis either: a question left unasked on a slow machine would have no answer to
  // check the interpreter against.
  // At this limit the hardest question takes a few seconds; a higher one proves almost nothing
  // more on these programs (762 proofs against 766 at twice the limit) for twice the time.
  options.rlimit = 200000;
  options.timeout_ms = 120000;
  options.total_ms = 0;
  options.search_budget = 30;
  const std::vector<DecisionAnalysis> results = AnalyzePolicies(e, options);

  const ir::Program& ir = e.program().ir();
  const uint32_t case_type = ir.decisions[*e.FindDecision(gp.decisions.front())].params[0];
  CaseMutator mutator(ir.types, gp.as_of, seed);
  std::vector<nlohmann::json> cases{nlohmann::json::parse(gp.case_json)};
  for (int i = 0; i < 150; ++i) {
    nlohmann::json c = cases[static_cast<size_t>(i) % cases.size()];
    mutator.Mutate(c, case_type);
    mutator.Mutate(c, case_type);
    cases.push_back(std::move(c));
  }
  for (const DecisionAnalysis& a : results) {
    if (!a.analysed) {
      continue;
    }
    const ir::Decision& d = ir.decisions[a.index];
    for (const Finding& f : a.findings) {
      stats.proofs += f.status == Finding::Status::kNone && f.method == "smt" ? 1 : 0;
      stats.found += f.status == Finding::Status::kFound ? 1 : 0;
    }
    // Every question is asked (no overall time limit); the one a decision may leave out is a
    // conflict between two rules whose results the encoding proves equal, which no evaluation can
    // contradict. A missing answer is "not proven", never a proof.
    EXPECT_EQ(a.unasked, 0u) << gp.policy;
    const auto status_of = [&](Finding::Kind kind, std::vector<uint32_t> rules) {
      for (const Finding& f : a.findings) {
        if (f.kind == kind && f.rules == rules) {
          return f.status;
        }
      }
      return Finding::Status::kNotProven;
    };
    for (const nlohmann::json& c : cases) {
      auto ctx = e.NewContext();
      DiagnosticSink diags;
      const auto input = e.ReadCase(a.index, c.dump(), "case.json", *ctx, diags);
      if (!input) {
        continue;
      }
      vm::Trace trace;
      const auto r = e.Evaluate(a.index, *input, gp.as_of, *ctx, &trace, diags);
      ++stats.evaluations;
      const std::string where =
          fmt::format("seed {}, decision {}, case {}\n{}", seed, d.name, c.dump(), gp.policy);
      if (!r) {
        const Diagnostic& err = diags.diagnostics().front();
        if (err.code != DiagCode::kConflict) {
          continue;
        }
        uint32_t i = UINT32_MAX;
        uint32_t j = UINT32_MAX;
        for (uint32_t k = 0; k < d.rules.size(); ++k) {
          if (d.rules[k].span.begin == err.primary.begin && d.rules[k].span.file == err.primary.file) {
            i = k;
          }
          for (const Label& l : err.labels) {
            if (d.rules[k].span.begin == l.span.begin && d.rules[k].span.file == l.span.file) {
              j = k;
            }
          }
        }
        if (i == UINT32_MAX || j == UINT32_MAX) {
          continue;  // a conflict inside a called decision
        }
        EXPECT_NE(status_of(Finding::Kind::kConflict, {std::min(i, j), std::max(i, j)}),
                  Finding::Status::kNone)
            << "a conflict proven impossible happened: " << where;
        continue;
      }
      if (r->in_effect && !r->applicable && !d.default_value) {
        EXPECT_NE(status_of(Finding::Kind::kGap, {}), Finding::Status::kNone)
            << "a gap proven impossible happened: " << where;
      }
      if (!trace.records.empty()) {
        for (const vm::RuleOutcome& o : trace.records.back().rules) {
          if (o.kind == vm::RuleOutcome::Kind::kApplied) {
            EXPECT_NE(status_of(Finding::Kind::kDeadRule, {o.rule}), Finding::Status::kFound)
                << "rule " << d.rules[o.rule].name << " reported dead applied: " << where;
          }
        }
      }
    }
  }
}

TEST(AnalyzeSoundnessTest, ProofsAreNeverContradictedByTheInterpreterOnGeneratedPrograms) {
  Stats stats;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    CheckProgram(seed, stats);
    if (HasFatalFailure() || HasFailure()) {
      break;
    }
  }
  // The test means something only if the analyser proves and finds things on these programs.
  EXPECT_EQ(stats.programs, 60u);
  EXPECT_GT(stats.proofs, 100u);
  EXPECT_GT(stats.found, 10u);
  EXPECT_GT(stats.evaluations, 5000u);
  std::printf("programs %zu, proofs %zu, found %zu, evaluations %zu\n", stats.programs, stats.proofs,
              stats.found, stats.evaluations);
}

}  // namespace
}  // namespace policy

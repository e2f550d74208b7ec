// `e as of d` in the Z3 encoding (runtime/analysis/encode_expr.cpp): e is encoded over the date
// d exactly as a decision is over the evaluation date. On a transitional provision keyed on a
// date of the case, Z3 proves, for every case and every evaluation date at once, that the rule
// counted is the one in force on the case's date; without `as of` it finds the counterexample;
// and `policy analyze` agrees with the interpreter on the same policy.
#include <gtest/gtest.h>

#include "runtime/analysis/analyze.h"
#include "runtime/analysis/encode.h"

namespace policy {
namespace {

constexpr const char* kPolicy = R"(module t

record Case {
  granted_on: Date
  consecutive: Int
  any_12_months: Int
}

decision days_absent(c: Case) -> Int
  rule consecutive_periods
    effective until 2018-01-10
    then c.consecutive
  rule any_period
    effective from 2018-01-11
    then c.any_12_months

parameter limit: Int
  value 180 effective until 2020-04-05
  value 184 effective from 2020-04-06

/// What the transitional provision says, written out by hand.
def by_hand(c: Case) -> Int = if c.granted_on < 2018-01-11 then c.consecutive else c.any_12_months

decision law(c: Case) -> Bool
  default days_absent(c) as of c.granted_on == by_hand(c)
    and limit as of c.granted_on == (if c.granted_on < 2020-04-06 then 180 else 184)
    and days_absent(c) == (if as_of < 2018-01-11 then c.consecutive else c.any_12_months)

decision without_as_of(c: Case) -> Bool
  default days_absent(c) == by_hand(c)
)";

struct Proof {
  z3::check_result result;
  std::set<std::string> approximations;
};

auto Prove(const ir::Program& ir, const char* decision) -> Proof {
  z3::context ctx;
  analysis::InputPool pool(ctx, std::nullopt);  // every evaluation date
  analysis::Encoder encoder(ir, pool);
  const analysis::DecisionSym* law = encoder.Decision(*ir.FindDecision(decision));
  if (law == nullptr) {
    ADD_FAILURE() << decision << " was not encoded";
    return {z3::unknown, {}};
  }
  z3::solver solver(ctx);
  z3::params params(ctx);
  params.set("rlimit", 5000000U);
  solver.set(params);
  for (const z3::expr& e : pool.domain()) {
    solver.add(e);
  }
  for (const z3::expr& e : encoder.axioms()) {
    solver.add(e);
  }
  solver.add(law->defined);
  solver.add(!law->value.e[0]);
  return {solver.check(), law->approximations};
}

TEST(AsOfEncodingTest, Z3ProvesTheLawOnTheCasesDateOnEveryEvaluationDate) {
  const LoadResult r = Engine::LoadSources({{"t.policy", kPolicy}});
  ASSERT_TRUE(r.engine);
  const ir::Program& ir = r.engine->program().ir();
  const Proof law = Prove(ir, "t.law");
  EXPECT_TRUE(law.approximations.empty());
  EXPECT_EQ(law.result, z3::unsat) << "Z3 does not prove that `as of` reads the law on the case's date";
  // The same rule on the evaluation date is not the transitional provision.
  EXPECT_EQ(Prove(ir, "t.without_as_of").result, z3::sat);
}

TEST(AsOfEncodingTest, AnalyzeAndTheInterpreterAgreeOnTheLaw) {
  const LoadResult r = Engine::LoadSources({{"t.policy", kPolicy}});
  ASSERT_TRUE(r.engine);
  const Engine& e = *r.engine;
  const uint32_t law = *e.FindDecision("t.law");
  for (const char* c : {R"({"granted_on": "2018-01-10", "consecutive": 1, "any_12_months": 2})",
                        R"({"granted_on": "2018-01-11", "consecutive": 1, "any_12_months": 2})",
                        R"({"granted_on": "2020-04-06", "consecutive": 3, "any_12_months": 2})"}) {
    for (const char* date : {"2017-01-01", "2018-01-11", "2025-09-01"}) {
      auto ctx = e.NewContext();
      DiagnosticSink diags;
      const auto input = e.ReadCase(law, c, "case.json", *ctx, diags);
      ASSERT_TRUE(input);
      const auto result = e.Evaluate(law, *input, *Date::Parse(date), *ctx, nullptr, diags);
      ASSERT_TRUE(result) << c << " on " << date;
      EXPECT_TRUE(result->value.as_bool()) << c << " on " << date;
    }
  }
  AnalyzeOptions options;  // every date
  options.rlimit = 5000000;
  for (const DecisionAnalysis& a : AnalyzePolicies(e, options)) {
    if (a.index == law) {
      EXPECT_TRUE(a.analysed);
      for (const Finding& f : a.findings) {
        EXPECT_NE(f.status, Finding::Status::kFound) << f.witness;
      }
    }
  }
}

}  // namespace
}  // namespace policy

// `e as of d` in the Z3 encoding (runtime/analysis/encode_expr.cpp): e is encoded over the date
// d exactly as a decision is over the evaluation date. On a transitional provision keyed on a
// date of the case, Z3 proves, for every case and every evaluation date at once, that the rule
// counted is the one in force on the case's date; without `as of` it finds the counterexample;
// and `policy analyze` agrees with the interpreter on the same policy.
#include <gtest/gtest.h>

#include "runtime/analysis/analyze.h"
#include "tests/support/engine_test_support.h"

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

auto Prove(const ir::Program& ir, const char* decision) -> test::LawProof {
  return test::ProveLaw(ir, *ir.FindDecision(decision));
}

TEST(AsOfEncodingTest, Z3ProvesTheLawOnTheCasesDateOnEveryEvaluationDate) {
  const LoadResult r = Engine::LoadSources({{"t.policy", kPolicy}});
  ASSERT_TRUE(r.engine);
  const ir::Program& ir = r.engine->program().ir();
  const test::LawProof law = Prove(ir, "t.law");
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
      EXPECT_EQ(test::OutcomeOnCase(e, law, c, *Date::Parse(date)), "true") << c << " on " << date;
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

// `policy analyze` (runtime/analysis/analyze.h): each analysis with a positive case (found, with
// a witness the interpreter reproduces) and a negative one (proven absent), the calendar
// encoding, and the fallback to a bounded search where the encoding is partial.
#include "runtime/analysis/analyze.h"

#include <gtest/gtest.h>

namespace policy {
namespace {

constexpr const char* kPrelude = R"(module t

enum Level { undergraduate, postgraduate, sub_degree }

record Item {
  hours: Int
}

record Case {
  age: Int
  level: Level
  exchange: Bool
  start: Date
  fee: Decimal
  nickname: Int?
  items: List<Item>
}

)";

auto Load(const std::string& body) -> std::shared_ptr<const Engine> {
  const LoadResult r = Engine::LoadSources({{"t.policy", std::string(kPrelude) + body}});
  if (!r.engine) {
    for (const Diagnostic& d : r.diagnostics.diagnostics()) {
      ADD_FAILURE() << d.message;
    }
  }
  return r.engine;
}

constexpr const char* kCase =
    R"({"age": 20, "level": "undergraduate", "exchange": false, "start": "2024-09-01",
  "fee": 100.5, "nickname": null, "items": []})";

auto Analyze(const Engine& e, std::optional<Date> as_of = std::nullopt) -> std::vector<DecisionAnalysis> {
  AnalyzeOptions options;
  options.as_of = as_of;
  options.search_as_of = *Date::FromCivil(2025, 1, 1);
  options.seeds = {kCase};
  options.seed_names = {"case.json"};
  options.timeout_ms = 20000;
  return AnalyzePolicies(e, options);
}

auto Find(const std::vector<DecisionAnalysis>& results, const std::string& decision, Finding::Kind kind,
          size_t nth = 0) -> Finding {
  for (const DecisionAnalysis& a : results) {
    if (a.decision != decision) {
      continue;
    }
    for (const Finding& f : a.findings) {
      if (f.kind == kind && nth-- == 0) {
        return f;
      }
    }
  }
  ADD_FAILURE() << "no " << FindingKindName(kind) << " question for " << decision;
  return {};
}

// A decision with a thousand rules is half a million conflict questions. The overall time limit
// bounds the analysis: the questions left when it is used up are not asked, and the analysis
// says how many (W0204), so nothing is silently skipped. No timing is asserted, only that every
// question was either answered or counted as not asked.
TEST(AnalyzeTest, TheTimeLimitLeavesTheQuestionsItCannotAskCounted) {
  std::string body = "decision many(c: Case) -> Int\n";
  for (int i = 0; i < 1000; ++i) {
    body += "  rule r" + std::to_string(i) + " when c.age == " + std::to_string(i) + " then " +
            std::to_string(i) + "\n";
  }
  const auto engine = Load(body);
  ASSERT_TRUE(engine);
  AnalyzeOptions options;
  options.search_as_of = *Date::FromCivil(2025, 1, 1);
  options.seeds = {kCase};
  options.total_ms = 1;  // used up almost at once
  const std::vector<DecisionAnalysis> results = AnalyzePolicies(*engine, options);
  ASSERT_EQ(results.size(), 1U);
  const DecisionAnalysis& a = results[0];
  const size_t questions = 1000 * 999 / 2 + 1000 + 1;  // conflicts, dead rules, the gap
  EXPECT_GT(a.unasked, questions / 2);
  EXPECT_EQ(a.findings.size() + a.unasked, questions);
}

TEST(AnalyzeTest, ConflictBetweenRulesOfEqualStandingIsFoundWithAWitness) {
  const auto e = Load(R"(decision may_work(c: Case) -> Bool
  default false
  rule degree
    when c.level in {undergraduate, postgraduate} and c.age >= 18
    then true
  rule exchange
    when c.exchange
    then false
)");
  ASSERT_TRUE(e);
  const Finding f = Find(Analyze(*e), "t.may_work", Finding::Kind::kConflict);
  ASSERT_EQ(f.status, Finding::Status::kFound);
  EXPECT_EQ(f.method, "smt");
  EXPECT_NE(f.outcome.find("E0910"), std::string::npos) << f.outcome;
  // The witness is the example with what it takes: an exchange student (nothing else needed).
  EXPECT_EQ(f.base, "case.json");
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_EQ(f.changes[0], "$.exchange: false -> true");
}

TEST(AnalyzeTest, AnExceptionResolvesTheConflictAndTheAbsenceIsProven) {
  const auto e = Load(R"(decision may_work(c: Case) -> Bool
  default false
  rule degree
    when c.level in {undergraduate, postgraduate} and c.age >= 18
    then true
  exception exchange to degree
    when c.exchange
    then false
)");
  ASSERT_TRUE(e);
  const Finding f = Find(Analyze(*e), "t.may_work", Finding::Kind::kConflict);
  EXPECT_EQ(f.status, Finding::Status::kNone);
  EXPECT_EQ(f.method, "smt");
}

TEST(AnalyzeTest, ExclusiveConditionsAreProvenNotToConflict) {
  const auto e = Load(R"(decision band(c: Case) -> Int
  rule young
    when c.age < 18
    then 1
  rule adult
    when c.age >= 18 and c.age < 65
    then 2
  rule senior
    when c.age >= 65
    then 3
)");
  ASSERT_TRUE(e);
  const auto results = Analyze(*e);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(Find(results, "t.band", Finding::Kind::kConflict, i).status, Finding::Status::kNone);
    EXPECT_EQ(Find(results, "t.band", Finding::Kind::kDeadRule, i).status, Finding::Status::kNone);
  }
  // The three bands cover every age: no gap, although there is no default.
  EXPECT_EQ(Find(results, "t.band", Finding::Kind::kGap).status, Finding::Status::kNone);
}

TEST(AnalyzeTest, GapIsFoundWithAWitnessTheInterpreterLeavesWithoutResult) {
  const auto e = Load(R"(decision band(c: Case) -> Int
  rule young
    when c.age < 18
    then 1
  rule senior
    when c.age >= 65
    then 3
)");
  ASSERT_TRUE(e);
  const Finding f = Find(Analyze(*e), "t.band", Finding::Kind::kGap);
  ASSERT_EQ(f.status, Finding::Status::kFound);
  EXPECT_NE(f.outcome.find("no rule applies"), std::string::npos) << f.outcome;
  EXPECT_TRUE(f.changes.empty()) << "age 20 is already in the gap";
}

TEST(AnalyzeTest, DeadRuleIsProvenAndALiveOneIsNot) {
  const auto e = Load(R"(decision d(c: Case) -> Int
  default 0
  rule impossible
    when c.age > 30 and c.age < 20
    then 1
  rule possible
    when c.age > 30
    then 2
)");
  ASSERT_TRUE(e);
  const auto results = Analyze(*e);
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, 0).status, Finding::Status::kFound);
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, 1).status, Finding::Status::kNone);
}

TEST(AnalyzeTest, ARuleAlwaysDefeatedByAnExceptionIsDead) {
  const auto e = Load(R"(decision d(c: Case) -> Bool
  default false
  rule adults
    when c.age >= 18
    then true
  exception all_of_them to adults
    when c.age >= 0
    then false
)");
  ASSERT_TRUE(e);
  const auto results = Analyze(*e);
  // Rules are in evaluation order: the exception first.
  const auto& rules = e->program().ir().decisions[*e->FindDecision("t.d")].rules;
  const size_t adults = rules[0].name == "adults" ? 0 : 1;
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, adults).status, Finding::Status::kFound);
}

TEST(AnalyzeTest, EffectiveDatesAreEncodedSoAnExpiredRuleIsAliveOnSomeDate) {
  const auto e = Load(R"(decision d(c: Case) -> Int
  default 0
  rule old
    effective from 2000-01-01 until 2009-12-31
    when c.start > 2010-01-01
    then 1
  rule later
    effective from 2010-01-01
    when c.age > 5
    then 2
)");
  ASSERT_TRUE(e);
  const auto every_date = Analyze(*e);
  EXPECT_EQ(Find(every_date, "t.d", Finding::Kind::kDeadRule, 0).status, Finding::Status::kNone);
  const Finding alive = Find(every_date, "t.d", Finding::Kind::kDeadRule, 1);
  EXPECT_EQ(alive.status, Finding::Status::kNone);
  // On a date in 2025 the old rule is out of effect: dead on that date.
  const auto in_2025 = Analyze(*e, Date::FromCivil(2025, 1, 1));
  EXPECT_EQ(Find(in_2025, "t.d", Finding::Kind::kDeadRule, 0).status, Finding::Status::kFound);
}

TEST(AnalyzeTest, CalendarFunctionsAreEncodedExactly) {
  const auto e = Load(R"(decision d(c: Case) -> Int
  default 0
  rule february_31
    when month(c.start) == 2 and day_of_month(c.start) > 29
    then 1
  rule leap_day
    when month(c.start) == 2 and day_of_month(c.start) == 29 and year(c.start) >= 2030 and year(c.start) < 2034
    then 2
  rule month_end
    when c.start + 1 months == 2025-02-28 and day_of_month(c.start) == 31
    then 3
  rule sunday
    when weekday(c.start) == 0 and days_between(2025-01-01, c.start) == 4
    then 4
)");
  ASSERT_TRUE(e);
  const auto results = Analyze(*e);
  // No February has 30 days; 2032 is the only leap year in 2030-2033; 2025-01-31 + 1 month is
  // 2025-02-28; 2025-01-05 was a Sunday.
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, 0).status, Finding::Status::kFound);
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, 1).status, Finding::Status::kNone);
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, 2).status, Finding::Status::kNone);
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, 3).status, Finding::Status::kNone);
  for (const DecisionAnalysis& a : results) {
    EXPECT_TRUE(a.approximations.empty()) << a.approximations.front();
  }
}

TEST(AnalyzeTest, ListsFromTheCaseAreApproximatedAndTheSearchTakesOver) {
  const auto e = Load(R"(decision d(c: Case) -> Int
  default 0
  rule busy
    when (count i in c.items: i.hours > 0) >= 1
    then 1
  rule unreachable_by_search
    when (count i in c.items: i.hours == 7919) >= 40
    then 2
)");
  ASSERT_TRUE(e);
  const auto results = Analyze(*e);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].approximations.empty());
  const Finding busy = Find(results, "t.d", Finding::Kind::kDeadRule, 0);
  EXPECT_EQ(busy.status, Finding::Status::kNone);  // alive: the search grew a list
  EXPECT_EQ(busy.method, "search");
  // Forty items of 7919 hours are beyond a few hundred small mutations: not proven either way,
  // and never claimed dead.
  EXPECT_EQ(Find(results, "t.d", Finding::Kind::kDeadRule, 1).status, Finding::Status::kNotProven);
}

TEST(AnalyzeTest, OptionalsAndDecimalsAreEncoded) {
  const auto e = Load(R"(decision d(c: Case) -> Int
  rule named
    when c.nickname is some and c.nickname > 3
    then 1
  rule cheap
    when c.fee < 10.25
    then 2
)");
  ASSERT_TRUE(e);
  const auto results = Analyze(*e);
  const Finding conflict = Find(results, "t.d", Finding::Kind::kConflict);
  ASSERT_EQ(conflict.status, Finding::Status::kFound);
  EXPECT_NE(conflict.witness.find("\"nickname\""), std::string::npos);
  const Finding gap = Find(results, "t.d", Finding::Kind::kGap);
  ASSERT_EQ(gap.status, Finding::Status::kFound);
}

TEST(AnalyzeTest, BundledPoliciesHaveNoConflictsDeadRulesOrGaps) {
  const LoadResult r = Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"});
  ASSERT_TRUE(r.engine);
  AnalyzeOptions options;
  options.search_as_of = *Date::FromCivil(2025, 9, 1);
  const auto results = AnalyzePolicies(*r.engine, options);
  EXPECT_GT(results.size(), 40u);
  size_t exact = 0;
  for (const DecisionAnalysis& a : results) {
    exact += a.approximations.empty() ? 1 : 0;
    for (const Finding& f : a.findings) {
      EXPECT_NE(f.status, Finding::Status::kFound) << a.decision << " " << FindingKindName(f.kind);
    }
  }
  // Most of the bundled decisions are encoded exactly (lists from the case are the exception).
  EXPECT_GT(exact, results.size() * 3 / 4);
}

}  // namespace
}  // namespace policy

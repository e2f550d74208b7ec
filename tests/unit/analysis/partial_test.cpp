// `policy eval --partial` (runtime/analysis/partial.h): a case with fields still unknown is either
// decided whatever they are (proven), or the result names the missing fields that still matter,
// with a completion that decides differently, confirmed by the interpreter.
#include "runtime/analysis/partial.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace policy {
namespace {

constexpr const char* kPolicy = R"(module t

record Case {
  hours: Int
  exchange: Bool
  level: Int
  nickname?: Text
}

decision may_work(c: Case) -> Bool
  default false
  rule relaxation when c.level >= 5 and c.hours <= 20 then true
  exception exchange_students to relaxation when c.exchange then false
)";

auto Load() -> std::shared_ptr<const Engine> {
  const LoadResult r = Engine::LoadSources({{"t.policy", kPolicy}});
  for (const Diagnostic& d : r.diagnostics.diagnostics()) {
    ADD_FAILURE() << d.message;
  }
  return r.engine;
}

auto Partial(const Engine& e, const std::string& decision, const std::string& c) -> PartialResult {
  PartialOptions o;
  o.as_of = *Date::FromCivil(2025, 9, 1);
  DiagnosticSink diags;
  const auto r = EvaluatePartial(e, *e.FindDecision(decision), c, o, diags);
  EXPECT_TRUE(r.has_value()) << (diags.diagnostics().empty() ? "" : diags.diagnostics().front().message);
  return r.value_or(PartialResult{});
}

TEST(PartialTest, AKnownExceptionDecidesWhateverTheRestIs) {
  const auto e = Load();
  ASSERT_TRUE(e);
  const PartialResult r = Partial(*e, "t.may_work", R"({"exchange": true})");
  EXPECT_EQ(r.verdict, PartialResult::Verdict::kDecided);
  EXPECT_EQ(r.value_json, "false");
  // `nickname?` may be absent: it is not missing.
  EXPECT_EQ(r.missing, (std::vector<std::string>{"$.hours", "$.level"}));
}

TEST(PartialTest, UndecidedNamesTheQuestionsAndAConfirmedOtherCompletion) {
  const auto e = Load();
  ASSERT_TRUE(e);
  const PartialResult r = Partial(*e, "t.may_work", R"({"exchange": false, "hours": 10})");
  ASSERT_EQ(r.verdict, PartialResult::Verdict::kUndecided);
  EXPECT_EQ(r.missing, (std::vector<std::string>{"$.level"}));
  EXPECT_EQ(r.questions, (std::vector<std::string>{"$.level"}));
  EXPECT_NE(r.value_json, r.other_value_json);
  EXPECT_NE(r.other_case_json.find("\"level\""), std::string::npos);
  // Nothing known: every field that the rules read is a question; the exchange flag, read by
  // both the exception and (through it) the rule, comes first.
  const PartialResult none = Partial(*e, "t.may_work", "{}");
  ASSERT_EQ(none.verdict, PartialResult::Verdict::kUndecided);
  EXPECT_EQ(none.questions.size(), 3u);
}

TEST(PartialTest, ACompleteCaseIsSimplyEvaluated) {
  const auto e = Load();
  ASSERT_TRUE(e);
  const PartialResult r = Partial(*e, "t.may_work", R"({"exchange": false, "hours": 10, "level": 6})");
  EXPECT_EQ(r.verdict, PartialResult::Verdict::kDecided);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_EQ(r.value_json, "true");
}

TEST(PartialTest, AMalformedCaseIsReportedWithItsPath) {
  const auto e = Load();
  ASSERT_TRUE(e);
  PartialOptions o;
  o.as_of = *Date::FromCivil(2025, 9, 1);
  for (const char* bad : {R"({"hours": "ten"})", "[1, 2]", "{nope"}) {
    DiagnosticSink diags;
    EXPECT_FALSE(EvaluatePartial(*e, *e->FindDecision("t.may_work"), bad, o, diags).has_value()) << bad;
    EXPECT_TRUE(diags.has_errors()) << bad;
  }
}

auto ReadFile(const std::string& path) -> std::string {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(PartialBundledTest, OnlyTheProgrammeKnownGivesTheQuestionsForTheLimitOfStay) {
  const LoadResult loaded = Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"});
  ASSERT_TRUE(loaded.engine);
  const std::string c = ReadFile(std::string(POLICY_SOURCE_DIR) + "/tests/data/partial_programme_only.json");
  const PartialResult r = Partial(*loaded.engine, "hk.stay.limit_of_stay", c);
  ASSERT_EQ(r.verdict, PartialResult::Verdict::kUndecided);
  EXPECT_FALSE(r.questions.empty());
  for (const std::string& q : r.questions) {
    EXPECT_EQ(q.rfind("$.programme", 0), std::string::npos) << q << " is known, not a question";
  }
  // The limit of stay is counted from the entry date (FAQ Q10): it must be asked.
  EXPECT_NE(std::find(r.questions.begin(), r.questions.end(), "$.dates.entry_date"), r.questions.end());
  // Both completions are real: the interpreter gives each its value.
  EXPECT_NE(r.value_json, r.other_value_json);
}

}  // namespace
}  // namespace policy

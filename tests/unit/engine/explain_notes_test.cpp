// Explanations that open up what a condition calls (issue 34): the helper's doc comment, the part
// of its body that failed with the values it read (written as the caller's paths), the values a
// `then` combined; bounded in size; and never a change to the evaluation they explain.
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/engine/engine.h"
#include "tests/support/engine_test_support.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

const char* const kPolicy = R"(module t

record Programme {
  mode: Text
  accredited: Bool
  years: Int
}

record Case {
  programme: Programme
  age: Int
}

/// "full-time and accredited" (para 1).
def full_time(p: Programme) -> Bool = p.mode == "full time" and p.accredited

/// "a long programme" (para 2).
def long_course(p: Programme) -> Bool = p.years >= 3 or p.years == 0

def eligible_programme(q: Programme) -> Bool = full_time(q) and long_course(q)

decision allowed(c: Case) -> Bool
  default false
  rule r1
    when eligible_programme(c.programme)
    then true
  rule r2
    when not (c.age < 18) and c.age > 99
    then true

decision grant(c: Case) -> Int
  default 0
  rule capped
    when c.age >= 18
    then min(c.programme.years * 400, 1000)

decision many(c: Case) -> Bool
  default false
  rule wide
    when c.age == 1 or c.age == 2 or c.age == 3 or c.age == 4 or c.age == 5 or c.age == 6 or
      c.age == 7 or c.age == 8 or c.age == 9 or c.age == 10 or c.age == 11 or c.age == 12 or
      c.age == 13 or c.age == 14 or c.age == 15 or c.age == 16 or c.age == 17 or c.age == 18 or
      c.age == 19 or c.age == 20 or c.age == 21 or c.age == 22 or c.age == 23 or c.age == 24 or
      c.age == 25 or c.age == 26
    then true
)";

auto Explain(const Engine& e, const std::string& decision, const std::string& json, bool as_json = false)
    -> std::string {
  auto ctx = e.NewContext();
  DiagnosticSink diags;
  const uint32_t d = *e.FindDecision(decision);
  const auto input = e.ReadCase(d, json, "case.json", *ctx, diags);
  EXPECT_TRUE(input.has_value()) << RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
  vm::Trace trace;
  const auto r = e.Evaluate(d, *input, *Date::FromCivil(2025, 9, 1), *ctx, &trace, diags);
  EXPECT_TRUE(r.has_value());
  return as_json ? e.ExplanationJson(trace).dump() : e.ExplanationText(trace);
}

const char* const kPartTime =
    R"({"programme": {"mode": "part time", "accredited": true, "years": 4}, "age": 30})";

TEST(ExplainNotesTest, AHelperIsOpenedDownToTheComparisonThatFailedInTheCallersPaths) {
  const auto e = test::LoadPolicy(kPolicy);
  ASSERT_NE(e, nullptr);
  const std::string text = Explain(*e, "t.allowed", kPartTime);
  // Two helpers deep; each parameter written as what the caller passed (`q` and `p` are both
  // `c.programme`); the `and` that held is not shown past its failing side.
  EXPECT_NE(
      text.find(
          "  - rule `r1`: does not apply, `eligible_programme(c.programme)` is false\n"
          "      `eligible_programme(c.programme)` is false\n"
          "        `full_time(c.programme)` is false\n"
          "          > \"full-time and accredited\" (para 1).\n"
          "          `c.programme.mode == \"full time\"` is false: `c.programme.mode` is `\"part time\"`\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("long_course"), std::string::npos) << text;
  // `not (a < b)` false: the comparison that held, with its value.
  EXPECT_NE(text.find("  - rule `r2`: does not apply, `c.age > 99` is false\n      `c.age` is 30\n"),
            std::string::npos)
      << text;
}

TEST(ExplainNotesTest, AThenShowsTheValuesItCombined) {
  const auto e = test::LoadPolicy(kPolicy);
  ASSERT_NE(e, nullptr);
  const std::string text = Explain(*e, "t.grant", kPartTime);
  EXPECT_NE(text.find("then `min(c.programme.years * 400, 1000)` = min(1600, 1000) = 1000\n"),
            std::string::npos)
      << text;
  const std::string json = Explain(*e, "t.grant", kPartTime, true);
  EXPECT_NE(
      json.find(
          R"j("then":{"expr":"min(c.programme.years * 400, 1000)","value":1000,)j"
          R"j("computed":"min(1600, 1000)","operands":[{"expr":"c.programme.years * 400","value":1600}]})j"),
      std::string::npos)
      << json;
}

TEST(ExplainNotesTest, AWideConditionIsCutWithACount) {
  const auto e = test::LoadPolicy(kPolicy);
  ASSERT_NE(e, nullptr);
  // An `or` that is false has every side to show: 26 comparisons with their operands, cut at the
  // limit of 24 notes per rule, the rest counted.
  const std::string text = Explain(*e, "t.many", kPartTime);
  EXPECT_NE(text.find("`c.age == 1` is false: `c.age` is 30\n"), std::string::npos) << text;
  EXPECT_NE(text.find("`c.age == 12` is false: `c.age` is 30\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("`c.age == 13`"), std::string::npos) << text;
  EXPECT_NE(text.find("... and 14 more\n"), std::string::npos) << text;
}

// The notes are the same evaluator run again on parts of what it evaluated: on every bundled
// decision and example case, asking for them changes no value, no error and no rule's outcome.
TEST(ExplainNotesTest, NotesNeverChangeWhatIsExplained) {
  const LoadResult loaded = Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"});
  ASSERT_NE(loaded.engine, nullptr);
  const Engine& e = *loaded.engine;
  auto ctx = e.NewContext();
  size_t with_notes = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
    const std::string json = test::ReadFile(entry.path());
    for (const std::string& name : e.DecisionNames()) {
      const uint32_t d = *e.FindDecision(name);
      DiagnosticSink read;
      const auto input = e.ReadCase(d, json, "case.json", *ctx, read);
      if (!input) {
        continue;
      }
      const auto outline = [&](bool notes, std::string* errors) {
        vm::Trace trace;
        trace.notes = notes;
        DiagnosticSink diags;
        const auto r = e.Evaluate(d, *input, *Date::FromCivil(2025, 9, 1), *ctx, &trace, diags);
        *errors = RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
        std::string out = r ? exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value)) : "error";
        for (const vm::DecisionRecord& rec : trace.records) {
          out += fmt::format(" {}:{}", rec.decision, static_cast<int>(rec.via));
          for (const vm::RuleOutcome& o : rec.rules) {
            out += fmt::format(",{}/{}/{}", o.rule, static_cast<int>(o.kind), o.failed_conjunct);
          }
          with_notes += notes ? rec.notes.size() : 0;
        }
        return out;
      };
      std::string errors_on;
      std::string errors_off;
      const std::string on = outline(true, &errors_on);
      const std::string off = outline(false, &errors_off);
      EXPECT_EQ(on, off) << name << " on " << entry.path().filename();
      EXPECT_EQ(errors_on, errors_off) << name;
      EXPECT_EQ(test::Outcome(e, d, *input, *Date::FromCivil(2025, 9, 1), *ctx).rfind("error", 0) == 0,
                on.rfind("error", 0) == 0)
          << name;
    }
  }
  EXPECT_GT(with_notes, 100U);  // the bundled policies do open helpers
}

}  // namespace
}  // namespace policy

// The evaluator: default-logic semantics, arithmetic, collections, and the explanation trace.
#include <gtest/gtest.h>

#include <cstdlib>

#include "runtime/engine/engine.h"

namespace policy {
namespace {

struct Loaded {
  LoadResult result;
  std::unique_ptr<vm::Context> ctx;
  DiagnosticSink diags;

  auto engine() const -> const Engine& { return *result.engine; }
  // Evaluates a decision with no parameters.
  auto Eval(const std::string& name, const char* as_of = "2025-01-01", vm::Trace* trace = nullptr)
      -> std::optional<vm::DecisionResult> {
    const auto d = engine().FindDecision(name);
    EXPECT_TRUE(d.has_value()) << name;
    vm::EvalError error;
    auto r = engine().program().Evaluate(*ctx, *d, {}, *Date::Parse(as_of), trace, &error);
    last_error = error;
    return r;
  }
  auto Text(const std::string& name, const char* as_of = "2025-01-01") -> std::string {
    const auto d = engine().FindDecision(name);
    const auto r = Eval(name, as_of);
    if (!r) {
      return "error: " + last_error.message;
    }
    if (!r->applicable) {
      return "not applicable";
    }
    return FormatValue(engine().program().ir().types, engine().DecisionResultType(*d), r->value);
  }
  vm::EvalError last_error;
};

auto Load(const std::string& text) -> std::unique_ptr<Loaded> {
  auto l = std::make_unique<Loaded>();
  l->result = Engine::LoadSources({{"t.policy", text}});
  EXPECT_TRUE(l->result.engine != nullptr)
      << RenderDiagnostics(l->result.diagnostics.Sorted(), *l->result.sources, DiagFormat::kShort);
  if (l->result.engine) {
    l->ctx = l->result.engine->NewContext();
  } else {
    std::abort();  // the policy under test must compile; the diagnostics are printed above
  }
  return l;
}

TEST(EvalTest, ExceptionsDefeatTheRulesTheyNameTransitively) {
  auto l = Load(
      "module t\n"
      "decision d() -> Int\n"
      "  rule general then 1\n"
      "  exception specific to general then 2\n"
      "  exception more_specific to specific then 3\n");
  EXPECT_EQ(l->Text("t.d"), "3");
}

TEST(EvalTest, EqualStandingRulesWithDifferentValuesConflict) {
  auto l =
      Load("module t\ndecision d() -> Int\n  rule a source \"Q1\" then 1\n  rule b source \"Q2\" then 2\n");
  EXPECT_FALSE(l->Eval("t.d").has_value());
  EXPECT_EQ(l->last_error.code, DiagCode::kConflict);
  EXPECT_NE(l->last_error.message.find("`a` (Q1) gives `1`"), std::string::npos) << l->last_error.message;
  EXPECT_NE(l->last_error.message.find("`b` (Q2) gives `2`"), std::string::npos) << l->last_error.message;
  EXPECT_EQ(l->last_error.labels.size(), 2U);
}

TEST(EvalTest, EqualStandingRulesThatAgreeAreNotAConflict) {
  auto l = Load("module t\ndecision d() -> Int\n  rule a then 1\n  rule b then 1\n");
  EXPECT_EQ(l->Text("t.d"), "1");
}

TEST(EvalTest, DefaultAndNotApplicable) {
  auto l = Load(
      "module t\n"
      "decision with_default() -> Int\n  default 7\n  rule never when false then 1\n"
      "decision without() -> Int\n  rule never when false then 1\n"
      "decision caller() -> Int\n  rule r then without() + 1\n");
  EXPECT_EQ(l->Text("t.with_default"), "7");
  EXPECT_EQ(l->Text("t.without"), "not applicable");
  EXPECT_EQ(l->Text("t.caller"),
            "error: decision `t.without` was needed, but none of its rules applied and it has no default");
  EXPECT_EQ(l->last_error.code, DiagCode::kNotApplicable);
}

TEST(EvalTest, EffectiveDatesAreInclusive) {
  auto l = Load(
      "module t\ndecision d() -> Bool\n  default false\n  rule r effective from 2014-03-17 until 2014-12-31 "
      "then true\n");
  // Its only rule is effective-dated, so outside that period the decision itself is not in
  // effect: not applicable, not a silent default.
  EXPECT_EQ(l->Text("t.d", "2014-03-16"), "not applicable");
  EXPECT_EQ(l->Text("t.d", "2014-03-17"), "true");
  EXPECT_EQ(l->Text("t.d", "2014-12-31"), "true");
  EXPECT_EQ(l->Text("t.d", "2015-01-01"), "not applicable");
}

TEST(EvalTest, UndatedRuleKeepsDecisionInEffect) {
  auto l = Load(
      "module t\ndecision d() -> Bool\n  default false\n  rule r effective from 2014-03-17 until 2014-12-31 "
      "then true\n  rule never when false then true\n");
  EXPECT_EQ(l->Text("t.d", "2014-03-16"), "false");
  EXPECT_EQ(l->Text("t.d", "2014-03-17"), "true");
  EXPECT_EQ(l->Text("t.d", "2015-01-01"), "false");
}

TEST(EvalTest, DecisionEffectivePeriodOverridesRules) {
  auto l = Load(
      "module t\ndecision d() -> Int\n  effective from 2018-03-01\n  default 0\n  rule r when false then 1\n"
      "decision caller() -> Int\n  rule r then d() + 1\n");
  EXPECT_EQ(l->Text("t.d", "2018-02-28"), "not applicable");
  EXPECT_EQ(l->Text("t.d", "2018-03-01"), "0");
  EXPECT_EQ(l->Text("t.caller", "2018-02-28"),
            "error: decision `t.d` was needed, but it is not in effect on 2018-02-28");
  EXPECT_EQ(l->last_error.code, DiagCode::kNotApplicable);
}

TEST(EvalTest, ParameterTimeline) {
  auto l = Load(
      "module t\nparameter cap: Int\n  value 16 effective until 2014-03-16\n"
      "  value 20 effective from 2014-03-17 until 2019-12-31\n  value 24 effective from 2020-01-01\n"
      "decision read() -> Int\n  rule r then cap\n"
      "parameter later_cap: Int\n  value 1 effective from 2030-01-01\n"
      "decision read_later() -> Int\n  rule r then later_cap\n");
  EXPECT_EQ(l->Text("t.read", "2014-03-16"), "16");
  EXPECT_EQ(l->Text("t.read", "2014-03-17"), "20");
  EXPECT_EQ(l->Text("t.read", "2019-12-31"), "20");
  EXPECT_EQ(l->Text("t.read", "2020-01-01"), "24");
  EXPECT_EQ(l->Text("t.read_later", "2029-12-31"),
            "error: parameter `t.later_cap` has no value on 2029-12-31");
  EXPECT_EQ(l->last_error.code, DiagCode::kParameterNotInEffect);
  EXPECT_EQ(l->Text("t.read_later", "2030-01-01"), "1");
}

TEST(EvalTest, CalendarBuiltins) {
  auto l = Load(
      "module t\n"
      "decision every() -> Int\n  rule r then length(dates_every(2024-01-01, 2024-12-31, 1 week))\n"
      "decision zero_step() -> Int\n  rule r then length(dates_every(2024-01-01, 2024-12-31, 0 days))\n"
      "decision too_many() -> Int\n  rule r then length(dates_every(0001-01-01, 9999-12-31, 1 day))\n"
      "decision far() -> Date\n  rule r then add_working_days(9999-12-30, 5, {}, {})\n"
      "decision all_holidays() -> Date\n  rule r then add_working_days(2024-01-01, 1, {2024-01-02, "
      "2024-01-03}, {})\n");
  EXPECT_EQ(l->Text("t.every"), "53");
  EXPECT_EQ(l->Text("t.zero_step"), "error: `dates_every` needs a positive step, got `0 days`");
  EXPECT_EQ(l->last_error.code, DiagCode::kBadRange);
  EXPECT_EQ(l->Text("t.too_many").substr(0, 45), "error: `dates_every` from 0001-01-01 to 9999-");
  EXPECT_EQ(l->last_error.code, DiagCode::kBadRange);
  EXPECT_EQ(l->Text("t.far"), "error: date arithmetic left the supported range (years 1 to 9999)");
  EXPECT_EQ(l->last_error.code, DiagCode::kArithmeticError);
  EXPECT_EQ(l->Text("t.all_holidays"), "2024-01-04");
}

TEST(EvalTest, ArithmeticIsCheckedAndFloorDivides) {
  auto l = Load(
      "module t\n"
      "decision div() -> Int\n  rule r then (0 - 7) / 2\n"
      "decision mod() -> Int\n  rule r then (0 - 7) % 2\n"
      "decision overflow() -> Int\n  rule r then 9223372036854775807 + 1\n"
      "decision by_zero() -> Int\n  rule r then 1 / (1 - 1)\n"
      "decision exact() -> Decimal\n  rule r then 0.1 + 0.2\n"
      "decision mixed() -> Decimal\n  rule r then 7.5 * 2\n");
  EXPECT_EQ(l->Text("t.div"), "-4");
  EXPECT_EQ(l->Text("t.mod"), "1");
  EXPECT_EQ(l->Text("t.overflow"), "error: integer overflow in `+`");
  EXPECT_EQ(l->Text("t.by_zero"), "error: division by zero");
  EXPECT_EQ(l->Text("t.exact"), "0.3");
  EXPECT_EQ(l->Text("t.mixed"), "15");
}

TEST(EvalTest, PercentagesAreExactDecimals) {
  auto l = Load(
      "module t\n"
      "decision share() -> Decimal\n  rule r then 50 * 20%\n"
      "decision eighth() -> Decimal\n  rule r then 1000 * 12.5%\n"
      "decision small() -> Decimal\n  rule r then 0.5%\n"
      "decision whole() -> Bool\n  rule r then 100% == 1 and 20% == 0.2 and 12.5% == 0.125\n"
      "decision remainder() -> Int\n  rule r then 20%7 + 20 % 7\n"
      "decision of_percentage() -> Decimal\n  rule r then 20%%3 + 100% - 20%\n");
  EXPECT_EQ(l->Text("t.share"), "10");
  EXPECT_EQ(l->Text("t.eighth"), "125");
  EXPECT_EQ(l->Text("t.small"), "0.005");
  EXPECT_EQ(l->Text("t.whole"), "true");
  EXPECT_EQ(l->Text("t.remainder"), "12");
  EXPECT_EQ(l->Text("t.of_percentage"), "1");
}

TEST(EvalTest, DatesAndDurations) {
  auto l = Load(
      "module t\n"
      "decision month_end() -> Date\n  rule r then 2025-01-31 + 1 month\n"
      "decision leap() -> Date\n  rule r then 2024-02-29 + 1 year\n"
      "decision weeks() -> Date\n  rule r then 2025-01-01 + 4 weeks\n"
      "decision back() -> Date\n  rule r then 2025-03-01 - 1 day\n"
      "decision compare() -> Bool\n  rule r then 2 weeks == 14 days and 1 year > 11 months\n"
      // The checker rejects `4 weeks < 1 month` (E0310); through a function it cannot see the units.
      "def less(a: Duration, b: Duration) -> Bool = a < b\n"
      "decision incomparable() -> Bool\n  rule r then less(4 weeks, 1 month)\n"
      "decision out_of_range() -> Date\n  rule r then 9999-12-31 + 1 day\n");
  EXPECT_EQ(l->Text("t.month_end"), "2025-02-28");
  EXPECT_EQ(l->Text("t.leap"), "2025-02-28");
  EXPECT_EQ(l->Text("t.weeks"), "2025-01-29");
  EXPECT_EQ(l->Text("t.back"), "2025-02-28");
  EXPECT_EQ(l->Text("t.compare"), "true");
  EXPECT_EQ(l->Text("t.incomparable"),
            "error: cannot compare `4 weeks` with `1 month`: a month has no fixed number of days");
  EXPECT_EQ(l->last_error.code, DiagCode::kIncomparableDurations);
  EXPECT_EQ(l->Text("t.out_of_range"), "error: date arithmetic left the supported range (years 1 to 9999)");
}

TEST(EvalTest, CollectionsAggregatesAndMatch) {
  auto l = Load(
      "module t\n"
      "enum Level { low, mid, high }\n"
      "record Row { day: Date, hours: Decimal }\n"
      "const rows: List<Row> = [Row { day: 2025-03-02, hours: 7.5 }, Row { day: 2025-03-04, hours: 12.75 }]\n"
      "decision total() -> Decimal\n  rule r then sum x in rows : x.hours\n"
      "decision busy() -> Int\n  rule r then count x in rows : x.hours > 10\n"
      "decision all_march() -> Bool\n  rule r then all x in rows : month(x.day) == 3\n"
      "decision latest() -> Date?\n  rule r then max x in rows : x.day\n"
      "decision none_max() -> Date?\n  rule r then max x in filter y in rows : y.hours > 100 : x.day\n"
      "decision sets() -> Set<Level>\n  rule r then {high, low} + {mid, low}\n"
      "decision member() -> Bool\n  rule r then mid in {low, mid} and high not in {low, mid}\n"
      "def rank(l: Level) -> Int = match l { low => 1, mid | high => 2 }\n"
      "decision ranked() -> Int\n  rule r then rank(high) + rank(low)\n");
  EXPECT_EQ(l->Text("t.total"), "20.25");
  EXPECT_EQ(l->Text("t.busy"), "1");
  EXPECT_EQ(l->Text("t.all_march"), "true");
  EXPECT_EQ(l->Text("t.latest"), "2025-03-04");
  EXPECT_EQ(l->Text("t.none_max"), "none");
  EXPECT_EQ(l->Text("t.sets"), "{low, mid, high}");
  EXPECT_EQ(l->Text("t.member"), "true");
  EXPECT_EQ(l->Text("t.ranked"), "3");
}

TEST(EvalTest, MatchOnAnOptionalEnumTriesArmsInOrder) {
  auto l = Load(
      "module t\n"
      "enum Colour { red, green, blue }\n"
      "def f(c: Colour?) -> Int = match c { none => 0, red => 1, some(x) => if x == blue then 3 else 2 }\n"
      "decision red() -> Int\n  rule r then f(red)\n"
      "decision blue() -> Int\n  rule r then f(blue)\n"
      "decision green() -> Int\n  rule r then f(green)\n"
      "decision nothing() -> Int\n  rule r then f(none)\n");
  EXPECT_EQ(l->Text("t.red"), "1");
  EXPECT_EQ(l->Text("t.blue"), "3");
  EXPECT_EQ(l->Text("t.green"), "2");
  EXPECT_EQ(l->Text("t.nothing"), "0");
}

TEST(EvalTest, CoalesceChainsAndNumericMembership) {
  auto l = Load(
      "module t\n"
      "def g(a: Int?, b: Int?) -> Int = a ?? b ?? 0\n"
      "decision second() -> Int\n  rule r then g(none, 5)\n"
      "decision neither() -> Int\n  rule r then g(none, none)\n"
      "decision first() -> Int\n  rule r then g(4, 5)\n"
      "decision member() -> Bool\n  rule r then 2 in {1.5, 2.0} and not (2.5 in {1.5, 2.0})\n");
  EXPECT_EQ(l->Text("t.second"), "5");
  EXPECT_EQ(l->Text("t.neither"), "0");
  EXPECT_EQ(l->Text("t.first"), "4");
  EXPECT_EQ(l->Text("t.member"), "true");
}

TEST(EvalTest, IndependentRulesAreEvaluatedInDeclarationOrder) {
  auto l = Load("module t\ndecision d() -> Int\n  rule first then 1\n  rule second then 2\n");
  EXPECT_FALSE(l->Eval("t.d").has_value());
  EXPECT_EQ(l->last_error.message, "conflicting rules for `t.d`: `first` gives `1`, `second` gives `2`");
}

TEST(EvalTest, TraceRecordsEveryRuleAndTheFailingCondition) {
  auto l = Load(
      "module t\n"
      "const x = 5\n"
      "decision d() -> Int\n"
      "  default 0\n"
      "  rule big source \"Q1\" when x > 1 and x > 10 then 1\n"
      "  rule old effective until 2000-01-01 then 2\n"
      "  rule small when x < 10 then 3\n"
      "  exception tiny to small source \"Q2\" when x < 6 then 4\n");
  vm::Trace trace;
  const auto r = l->Eval("t.d", "2025-01-01", &trace);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value.as_int(), 4);
  ASSERT_EQ(trace.records.size(), 1U);
  const vm::DecisionRecord& rec = trace.records[0];
  EXPECT_EQ(rec.via, vm::DecisionRecord::Via::kRule);
  ASSERT_EQ(rec.rules.size(), 4U);
  const ir::Decision& d = l->engine().program().ir().decisions[rec.decision];
  std::map<std::string, vm::RuleOutcome> by_name;
  for (const auto& o : rec.rules) {
    by_name[d.rules[o.rule].name] = o;
  }
  EXPECT_EQ(by_name["tiny"].kind, vm::RuleOutcome::Kind::kApplied);
  EXPECT_EQ(by_name["small"].kind, vm::RuleOutcome::Kind::kOverridden);
  EXPECT_EQ(d.rules[by_name["small"].overridden_by].name, "tiny");
  EXPECT_EQ(by_name["old"].kind, vm::RuleOutcome::Kind::kNotInEffect);
  EXPECT_EQ(by_name["big"].kind, vm::RuleOutcome::Kind::kConditionFailed);
  EXPECT_EQ(d.rules[by_name["big"].rule].when[by_name["big"].failed_conjunct].text, "x > 10");
}

// Issue 34: an evaluation that fails still explains how it got there. The decision with the
// conflict is recorded with both rules; its caller stops at the rule that needed it; a failure in
// a rule's own value (division by zero) stops that rule.
TEST(EvalTest, TraceRecordsTheEvaluationUpToAFailure) {
  auto l = Load(
      "module t\n"
      "const x = 5\n"
      "decision inner() -> Int\n"
      "  rule a when x > 1 then 1\n"
      "  rule b when x > 2 then 2\n"
      "decision outer() -> Int\n"
      "  default 0\n"
      "  rule skipped when x > 100 then 7\n"
      "  rule needs when inner() > 0 then 3\n"
      "decision divides() -> Int\n"
      "  rule fine when x > 100 then 1\n"
      "  rule zero when x > 1 then x / (x - 5)\n");
  vm::Trace trace;
  ASSERT_FALSE(l->Eval("t.outer", "2025-01-01", &trace).has_value());
  ASSERT_EQ(trace.records.size(), 2U);
  const ir::Program& ir = l->engine().program().ir();
  const vm::DecisionRecord& inner = trace.records[0];
  EXPECT_EQ(ir.decisions[inner.decision].name, "t.inner");
  EXPECT_EQ(inner.via, vm::DecisionRecord::Via::kConflict);
  EXPECT_EQ(inner.deciding_rules, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(inner.depth, 1U);
  const vm::DecisionRecord& outer = trace.records[1];
  EXPECT_EQ(ir.decisions[outer.decision].name, "t.outer");
  EXPECT_EQ(outer.via, vm::DecisionRecord::Via::kFailed);
  EXPECT_EQ(outer.depth, 0U);
  ASSERT_EQ(outer.rules.size(), 2U);
  EXPECT_EQ(outer.rules[0].kind, vm::RuleOutcome::Kind::kConditionFailed);
  EXPECT_EQ(outer.rules[1].kind, vm::RuleOutcome::Kind::kFailed);
  EXPECT_EQ(outer.rules[1].rule, 1U);

  vm::Trace divided;
  ASSERT_FALSE(l->Eval("t.divides", "2025-01-01", &divided).has_value());
  ASSERT_EQ(divided.records.size(), 1U);
  EXPECT_EQ(divided.records[0].via, vm::DecisionRecord::Via::kFailed);
  ASSERT_EQ(divided.records[0].rules.size(), 2U);
  EXPECT_EQ(divided.records[0].rules[1].kind, vm::RuleOutcome::Kind::kFailed);
  // Without a trace, the same errors.
  EXPECT_FALSE(l->Eval("t.outer").has_value());
  EXPECT_EQ(l->last_error.code, DiagCode::kConflict);
}

TEST(EvalTest, TheSameInputGivesTheSameResultWithAndWithoutTrace) {
  auto l = Load("module t\nconst n = 3\ndecision d() -> Int\n  default 1\n  rule r when n > 2 then n * 2\n");
  vm::Trace trace;
  EXPECT_EQ(l->Eval("t.d", "2025-01-01", &trace)->value.as_int(), l->Eval("t.d")->value.as_int());
}

}  // namespace
}  // namespace policy

// The checker: one test per kind of mistake, asserting the code and the exact span.
#include <gtest/gtest.h>

#include "compiler/pipeline.h"

namespace policy {
namespace {

struct Checked {
  SourceManager sources;
  DiagnosticSink diags;
  std::shared_ptr<ir::Program> program;

  auto Codes() const -> std::vector<DiagCode> {
    std::vector<DiagCode> codes;
    for (const Diagnostic& d : diags.Sorted()) {
      codes.push_back(d.code);
    }
    return codes;
  }
  auto First() const -> Diagnostic { return diags.Sorted().at(0); }
  auto Underlined(const Diagnostic& d) const -> std::string {
    return std::string(sources.Get(d.primary.file).Slice(d.primary));
  }
};

auto CheckFiles(std::vector<std::pair<std::string, std::string>> files) -> std::unique_ptr<Checked> {
  auto c = std::make_unique<Checked>();
  CompileOptions options;
  options.include_stdlib = false;
  c->program = CompileSources(files, options, c->sources, c->diags);
  return c;
}

auto CheckText(const std::string& text) -> std::unique_ptr<Checked> {
  return CheckFiles({{"t.policy", text}});
}

const char* const kPrelude =
    "module t\n"
    "enum Mode { full_time, part_time }\n"
    "enum Level { undergraduate, secondary, other }\n"
    "record Programme { mode: Mode, level: Level, locally_accredited: Bool, years: Decimal, ends: Date? }\n"
    "record Case { programme: Programme, exchange: Bool }\n";

TEST(CheckTest, AWellTypedPolicyHasNoDiagnostics) {
  const auto c = CheckText(
      std::string(kPrelude) +
      "decision d(c: Case) -> Bool\n"
      "  default false\n"
      "  rule r when c.programme.mode == full_time and c.programme.level in {undergraduate}\n"
      "    and c.programme.years >= 1 and (c.programme.ends is some and c.programme.ends > 2020-01-01)\n"
      "    then true\n"
      "  exception x to r when c.exchange then false\n");
  EXPECT_TRUE(c->Codes().empty()) << RenderDiagnostics(c->diags.Sorted(), c->sources, DiagFormat::kShort);
  ASSERT_NE(c->program, nullptr);
}

TEST(CheckTest, UnknownFieldSuggestsTheClosestName) {
  const auto c =
      CheckText(std::string(kPrelude) +
                "decision d(c: Case) -> Bool\n  rule r when c.programme.locally_acredited then true\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kUnknownField});
  EXPECT_EQ(c->Underlined(c->First()), "locally_acredited");
  EXPECT_EQ(c->First().help.at(0), "did you mean `locally_accredited`?");
}

TEST(CheckTest, UnknownEnumValueInComparison) {
  const auto c =
      CheckText(std::string(kPrelude) +
                "decision d(c: Case) -> Bool\n  rule r when c.programme.mode == fulltime then true\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kUnknownName});
  EXPECT_EQ(c->Underlined(c->First()), "fulltime");
  EXPECT_EQ(c->First().help.at(0), "did you mean `full_time`?");
}

TEST(CheckTest, TypeMismatchInThen) {
  const auto c = CheckText(std::string(kPrelude) + "decision d(c: Case) -> Bool\n  rule r then 20\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kTypeMismatch});
  EXPECT_EQ(c->Underlined(c->First()), "20");
  EXPECT_EQ(c->First().message, "expected `Bool`, found `Int`");
}

TEST(CheckTest, DateArithmeticNeedsAUnit) {
  const auto c = CheckText("module t\nconst a = 2024-01-01 + 7\nconst b = 2024-01-01 + 7 days\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kBadOperands});
  EXPECT_EQ(c->Underlined(c->First()), "2024-01-01 + 7");
}

// `e as of d`: d must be a `Date`; an optional date must be resolved first (`??`), and the
// value has e's type.
TEST(CheckTest, AsOfNeedsADate) {
  const auto c =
      CheckText(std::string(kPrelude) +
                "decision y(c: Case) -> Int default year(as_of)\n"
                "decision a(c: Case) -> Bool default y(c) as of 2020 == 2020\n"
                "decision b(c: Case) -> Bool default y(c) as of c.programme.ends == 2020\n"
                "decision ok(c: Case) -> Bool default y(c) as of (c.programme.ends ?? as_of) == 2020\n"
                "decision t(c: Case) -> Bool default y(c) as of 2020-01-01\n");
  ASSERT_EQ(c->Codes(), (std::vector<DiagCode>{DiagCode::kTypeMismatch, DiagCode::kTypeMismatch,
                                               DiagCode::kTypeMismatch}));
  const std::vector<Diagnostic> all = c->diags.Sorted();
  EXPECT_EQ(c->Underlined(all[0]), "2020");
  EXPECT_EQ(all[0].message, "expected `Date`, found `Int`");
  EXPECT_EQ(c->Underlined(all[1]), "c.programme.ends");
  EXPECT_EQ(all[1].message, "expected `Date`, found `Date?`");
  EXPECT_NE(all[1].help.at(0).find("??"), std::string::npos);
  EXPECT_EQ(c->Underlined(all[2]), "y(c) as of 2020-01-01");
  EXPECT_EQ(all[2].message, "expected `Bool`, found `Int`");
}

TEST(CheckTest, OptionalMustBeHandledBeforeUse) {
  const auto c =
      CheckText(std::string(kPrelude) +
                "decision d(c: Case) -> Bool\n  rule r when c.programme.ends > 2020-01-01 then true\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kBadOperands});
  EXPECT_NE(c->First().help.at(0).find("none"), std::string::npos);
}

TEST(CheckTest, DuplicateDeclarationsPointAtBoth) {
  const auto c = CheckText("module t\nconst a = 1\nconst a = 2\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kDuplicateDeclaration});
  ASSERT_EQ(c->First().labels.size(), 1U);
  EXPECT_EQ(c->sources.Get(0).LineColAt(c->First().primary.begin).line, 3U);
  EXPECT_EQ(c->sources.Get(0).LineColAt(c->First().labels[0].span.begin).line, 2U);
}

TEST(CheckTest, NonExhaustiveMatchListsTheMissingValues) {
  const auto c = CheckText(std::string(kPrelude) +
                           "def f(l: Level) -> Int = match l { undergraduate => 1, secondary => 2 }\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kNotExhaustive});
  EXPECT_EQ(c->First().message, "`match` does not cover `other`");
}

TEST(CheckTest, RecursionIsRejected) {
  const auto c = CheckText("module t\ndef f(x: Int) -> Int = g(x)\ndef g(x: Int) -> Int = f(x) + 1\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kRecursiveDefinition});
}

TEST(CheckTest, ExceptionToAnUnknownRuleAndExceptionCycles) {
  const auto unknown =
      CheckText("module t\ndecision d() -> Bool\n  rule base then true\n  exception e to bsae then false\n");
  ASSERT_EQ(unknown->Codes(), std::vector<DiagCode>{DiagCode::kUnknownRule});
  EXPECT_EQ(unknown->First().help.at(0), "did you mean `base`?");
  const auto cycle = CheckText(
      "module t\ndecision d() -> Bool\n  exception a to b then true\n  exception b to a then false\n");
  ASSERT_EQ(cycle->Codes(), std::vector<DiagCode>{DiagCode::kExceptionCycle});
}

TEST(CheckTest, ModulesImportsAndCycles) {
  const auto ok = CheckFiles({{"a.policy", "module a\nimport b (Thing)\nconst x: Thing = Thing { n: 1 }\n"},
                              {"b.policy", "module b\nrecord Thing { n: Int }\n"}});
  EXPECT_TRUE(ok->Codes().empty()) << RenderDiagnostics(ok->diags.Sorted(), ok->sources, DiagFormat::kShort);
  const auto missing =
      CheckFiles({{"a.policy", "module a\nimport hk.kase\n"}, {"b.policy", "module hk.case\n"}});
  ASSERT_EQ(missing->Codes(), std::vector<DiagCode>{DiagCode::kUnknownModule});
  EXPECT_EQ(missing->First().help.at(0), "did you mean `hk.case`?");
  const auto cycle = CheckFiles({{"a.policy", "module a\nimport b\n"}, {"b.policy", "module b\nimport a\n"}});
  ASSERT_EQ(cycle->Codes(), std::vector<DiagCode>{DiagCode::kCyclicImport});
}

TEST(CheckTest, AllErrorsOfAFileAreReported) {
  const auto c = CheckText(std::string(kPrelude) +
                           "decision d(c: Case) -> Bool\n"
                           "  rule a when c.programme.mdoe == full_time then true\n"
                           "  rule b when c.exchnage then true\n"
                           "  rule c then 3\n");
  EXPECT_EQ(c->Codes(), (std::vector<DiagCode>{DiagCode::kUnknownField, DiagCode::kUnknownField,
                                               DiagCode::kTypeMismatch}));
}

TEST(CheckTest, DecisionThatCanNeverApply) {
  const auto c = CheckText("module t\ndecision d() -> Bool\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kNeverApplicable});
}

// ---- time ------------------------------------------------------------------------------------

TEST(CheckTest, DurationsOfDifferentKindsCannotBeOrderedWhenTheUnitsAreVisible) {
  const auto c = CheckText(
      "module t\n"
      "decision a() -> Bool\n  rule r then 4 weeks < 1 month\n"
      "decision b() -> Duration\n  rule r then min(2 weeks * 2, -(1 year))\n"
      "decision ok() -> Bool\n  rule r then 2 weeks < 15 days and 1 year == 12 months and 4 weeks != 1 "
      "month\n"
      "const notice: Duration = 4 weeks\n"
      "parameter grace: Duration\n  value 1 month effective until 2019-12-31\n  value 2 months effective "
      "from 2020-01-01\n"
      "decision through_names() -> Bool\n  rule r then notice < grace\n");
  ASSERT_EQ(c->Codes(), (std::vector<DiagCode>{DiagCode::kMixedDurations, DiagCode::kMixedDurations,
                                               DiagCode::kMixedDurations}));
  EXPECT_EQ(c->Underlined(c->First()), "4 weeks < 1 month");
}

TEST(CheckTest, OverlappingParameterVersions) {
  const auto c = CheckText(
      "module t\n"
      "parameter ok: Int\n  value 1 effective until 2014-03-16\n  value 2 effective from 2014-03-17\n"
      "parameter bad: Int\n  value 1 effective from 2014-01-01 until 2014-12-31\n"
      "  value 2 effective from 2014-12-31\n"
      "parameter undated: Int\n  value 1\n  value 2 effective from 2030-01-01\n");
  ASSERT_EQ(c->Codes(),
            (std::vector<DiagCode>{DiagCode::kOverlappingVersions, DiagCode::kOverlappingVersions}));
  EXPECT_EQ(c->Underlined(c->First()), "effective from 2014-12-31");
}

TEST(CheckTest, GapsBetweenParameterVersions) {
  const auto c = CheckText(
      "module t\n"
      "parameter adjacent: Int\n  value 1 effective until 2026-12-31\n  value 2 effective from 2027-01-01\n"
      "parameter expires: Int\n  value 1 effective from 2020-04-01 until 2021-03-31\n"
      "parameter gap: Int\n  value 20 effective from 2014-03-17 until 2026-12-30\n"
      "  value 24 effective from 2027-01-01\n");
  ASSERT_EQ(c->Codes(), (std::vector<DiagCode>{DiagCode::kParameterGap}));
  EXPECT_EQ(c->Underlined(c->First()), "effective from 2027-01-01");
  EXPECT_EQ(c->First().message, "parameter `gap` has no value from 2026-12-31 to 2026-12-31");
  ASSERT_EQ(c->First().labels.size(), 1U);  // the value before the gap, beside the primary span
  EXPECT_EQ(c->First().labels[0].text, "the value before it ends on 2026-12-30");
}

TEST(CheckTest, ParametersAreReadNotCalledAndNotUsedInConstants) {
  const auto c = CheckText(
      "module t\n"
      "parameter cap: Int\n  value 20 effective from 2014-03-17\n"
      "decision ok() -> Int\n  rule r then cap + 1\n"
      "decision called() -> Int\n  rule r then cap()\n"
      "const frozen: Int = cap\n"
      "decision d() -> Int\n  default 1\n"
      "const from_decision: Int = d()\n");
  ASSERT_EQ(c->Codes(), (std::vector<DiagCode>{DiagCode::kBadCall, DiagCode::kAsOfInConstant,
                                               DiagCode::kAsOfInConstant}));
  EXPECT_EQ(c->Underlined(c->First()), "cap()");
}

TEST(CheckTest, DecisionEffectivePeriodMustNotBeEmpty) {
  const auto c = CheckText(
      "module t\ndecision d() -> Int\n  effective from 2020-01-01 until 2019-01-01\n"
      "  default 1\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kEmptyEffectivePeriod});
  EXPECT_EQ(c->Underlined(c->First()), "effective from 2020-01-01 until 2019-01-01");
}

TEST(CheckTest, OnlyDecisionsCanBeExpectedNotApplicable) {
  const auto c = CheckText(
      "module t\ndef f() -> Int = 1\ndecision d() -> Int\n  default 1\n"
      "test \"x\" {\n  expect d() is not applicable\n  expect f() is not applicable\n}\n");
  ASSERT_EQ(c->Codes(), std::vector<DiagCode>{DiagCode::kBadOperands});
  EXPECT_EQ(c->Underlined(c->First()), "f()");
}

TEST(CheckTest, CalendarBuiltinsHaveFixedSignatures) {
  const auto c = CheckText(
      "module t\n"
      "decision ok() -> Date\n  rule r then add_working_days(2024-01-01, 3, {}, {2024-01-06})\n"
      "decision bad() -> Date\n  rule r then add_working_days(2024-01-01, 3, {1}, {})\n"
      "decision flat() -> List<Int>\n  rule r then flatten([{1, 2}, {3}])\n"
      "decision not_nested() -> List<Int>\n  rule r then flatten([1, 2])\n");
  ASSERT_EQ(c->Codes(), (std::vector<DiagCode>{DiagCode::kTypeMismatch, DiagCode::kBadCall}));
  EXPECT_EQ(c->Underlined(c->First()), "{1}");
}

}  // namespace
}  // namespace policy

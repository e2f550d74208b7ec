// `policy eval --what-if` (runtime/analysis/whatif.h): the smallest changes that give a decision
// the wanted value, on small policies and on the bundled ones, each confirmed by the
// interpreter; the proofs that no change (or none small enough) does; and a tampered encoding,
// whose wrong answers must be caught and not reported.
#include "runtime/analysis/whatif.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace policy {
namespace {

constexpr const char* kPolicy = R"(module t

enum Level { undergraduate, postgraduate, sub_degree }

record Person {
  fixed born: Date
  name: Text
}

record Case {
  person: Person
  hours: Int
  level: Level
  exchange: Bool
  fee: Decimal
  items: List<Int>
}

decision may_work(c: Case) -> Bool
  default false
  rule relaxation
    source "FAQ Q20"
    when c.level != sub_degree and c.hours <= 20
    then true
  exception exchange_students to relaxation
    source "FAQ Q23"
    when c.exchange
    then false

decision adult(c: Case) -> Bool
  default false
  rule eighteen when c.person.born <= 2007-01-01 then true

decision fee_band(c: Case) -> Int
  default 1
  rule high when c.fee > 1000 then 3
  rule mid when c.fee > 500 and c.fee <= 1000 then 2

decision counted(c: Case) -> Bool
  default false
  rule many when length(c.items) > 2 and c.hours > 0 then true

decision all_three(c: Case) -> Bool
  default false
  rule r when c.hours > 40 and c.exchange and c.level == postgraduate then true
)";

constexpr const char* kCase = R"({"person": {"born": "2010-05-01", "name": "A"}, "hours": 25,
  "level": "undergraduate", "exchange": true, "fee": 750.5, "items": []})";

auto Load() -> std::shared_ptr<const Engine> {
  const LoadResult r = Engine::LoadSources({{"t.policy", kPolicy}});
  for (const Diagnostic& d : r.diagnostics.diagnostics()) {
    ADD_FAILURE() << d.message;
  }
  return r.engine;
}

auto Ask(const Engine& e, const std::string& decision, WhatIfOptions options, const std::string& c = kCase)
    -> WhatIfResult {
  options.as_of = *Date::FromCivil(2025, 9, 1);
  DiagnosticSink diags;
  const auto r = WhatIf(e, *e.FindDecision(decision), c, options, diags);
  EXPECT_TRUE(r.has_value()) << (diags.diagnostics().empty() ? "" : diags.diagnostics().front().message);
  return r.value_or(WhatIfResult{});
}

auto Paths(const WhatIfAnswer& a) -> std::vector<std::string> {
  std::vector<std::string> out;
  for (const auto& c : a.changes) {
    out.push_back(c.path);
  }
  return out;
}

TEST(WhatIfTest, TheSmallestSetsOfChangesComeFirstAndEachIsMinimal) {
  const auto e = Load();
  ASSERT_TRUE(e);
  const WhatIfResult r = Ask(*e, "t.may_work", {});
  ASSERT_EQ(r.verdict, WhatIfResult::Verdict::kFound);
  EXPECT_EQ(r.value_json, "false");
  EXPECT_EQ(r.want, "true");
  // Not an exchange student, and at most 20 hours: two changes, and no single one does.
  ASSERT_GE(r.answers.size(), 1u);
  EXPECT_EQ(Paths(r.answers[0]), (std::vector<std::string>{"$.exchange", "$.hours"}));
  EXPECT_EQ(r.answers[0].value_json, "true");
  // The hours move as little as they must: 25 -> 20, not to some far value.
  EXPECT_EQ(r.answers[0].changes[1].after, "20");
  for (const WhatIfAnswer& a : r.answers) {
    EXPECT_LE(a.changes.size(), 3u);
    EXPECT_EQ(a.value_json, "true");
    ASSERT_EQ(a.deciding_rules.size(), 1u);
    EXPECT_EQ(e->program().ir().decisions[*e->FindDecision("t.may_work")].rules[a.deciding_rules[0]].name,
              "relaxation");
  }
  // No answer contains another.
  for (size_t i = 0; i < r.answers.size(); ++i) {
    for (size_t j = 0; j < r.answers.size(); ++j) {
      if (i == j) {
        continue;
      }
      const auto a = Paths(r.answers[i]);
      const auto b = Paths(r.answers[j]);
      EXPECT_FALSE(std::includes(b.begin(), b.end(), a.begin(), a.end()) && a.size() < b.size());
    }
  }
}

TEST(WhatIfTest, AnIntegerAnswerForADecisionThatGivesOne) {
  const auto e = Load();
  ASSERT_TRUE(e);
  WhatIfOptions o;
  o.want = "3";
  const WhatIfResult r = Ask(*e, "t.fee_band", o);
  ASSERT_EQ(r.verdict, WhatIfResult::Verdict::kFound);
  ASSERT_EQ(r.answers.size(), 1u);  // only the fee decides the band
  ASSERT_EQ(r.answers[0].changes.size(), 1u);
  EXPECT_EQ(r.answers[0].changes[0].path, "$.fee");
  // The nearest fee above 1000: 1000 and one unit of the last decimal place.
  EXPECT_EQ(r.answers[0].changes[0].after, "1000.000000000000000001");
  // Without --want: any other band.
  const WhatIfResult other = Ask(*e, "t.fee_band", {});
  EXPECT_EQ(other.want, "a value other than 2");
  ASSERT_EQ(other.verdict, WhatIfResult::Verdict::kFound);
  EXPECT_NE(other.answers[0].value_json, "2");
}

TEST(WhatIfTest, HeldAndFixedFieldsNeverChangeAndAnImpossibleWishIsProven) {
  const auto e = Load();
  ASSERT_TRUE(e);
  // `born` is declared `fixed`: no change makes the person an adult.
  const WhatIfResult r = Ask(*e, "t.adult", {});
  EXPECT_EQ(r.verdict, WhatIfResult::Verdict::kImpossible);
  EXPECT_EQ(r.held, (std::vector<std::string>{"$.person.born"}));
  EXPECT_TRUE(r.answers.empty());
  // --fix on the exchange flag: only the hours and level are left, and they cannot undo the
  // exception.
  WhatIfOptions o;
  o.held = {"exchange"};
  const WhatIfResult fixed = Ask(*e, "t.may_work", o);
  EXPECT_EQ(fixed.verdict, WhatIfResult::Verdict::kImpossible);
  EXPECT_EQ(fixed.held, (std::vector<std::string>{"$.exchange", "$.person.born"}));
}

// --explain --nearest-changes: per rule whose condition fails, the nearest change that makes it
// the rule that applies, confirmed by the interpreter; a rule held back by a `fixed` field is
// proven out of reach; a rule an exception overrides is not a failed condition and is not listed.
TEST(WhatIfTest, TheNearestChangeThatMakesEachFailedRuleApply) {
  const auto e = Load();
  ASSERT_TRUE(e);
  WhatIfOptions o;
  o.as_of = *Date::FromCivil(2025, 9, 1);
  DiagnosticSink diags;
  const uint32_t may_work = *e->FindDecision("t.may_work");
  const auto& rules = e->program().ir().decisions[may_work].rules;
  // Not an exchange student, 25 hours: both the relaxation (hours) and the exception (exchange) fail.
  const std::string not_exchange = R"({"person": {"born": "2010-05-01", "name": "A"}, "hours": 25,
    "level": "undergraduate", "exchange": false, "fee": 750.5, "items": []})";
  const auto changes = NearestRuleChanges(*e, may_work, not_exchange, o, diags);
  ASSERT_TRUE(changes.has_value());
  ASSERT_EQ(changes->size(), 2U);
  for (const RuleChange& c : *changes) {
    ASSERT_EQ(c.verdict, WhatIfResult::Verdict::kFound) << rules[c.rule].name;
    ASSERT_TRUE(c.answer.has_value());
    ASSERT_EQ(c.answer->changes.size(), 1U) << rules[c.rule].name;
    const auto& change = c.answer->changes.front();
    if (rules[c.rule].name == "relaxation") {
      EXPECT_EQ(change.path, "$.hours");
      EXPECT_EQ(change.after, "20");  // the nearest number of hours, not any number that works
      EXPECT_EQ(c.answer->value_json, "true");
    } else {
      EXPECT_EQ(rules[c.rule].name, "exchange_students");
      EXPECT_EQ(change.path, "$.exchange");
      EXPECT_EQ(c.answer->value_json, "false");
    }
  }
  // An exchange student: the exception applies and the relaxation is overridden, not failed.
  const auto overridden = NearestRuleChanges(*e, may_work, kCase, o, diags);
  ASSERT_TRUE(overridden.has_value());
  EXPECT_TRUE(overridden->empty());

  const auto adult = NearestRuleChanges(*e, *e->FindDecision("t.adult"), kCase, o, diags);
  ASSERT_TRUE(adult.has_value());
  ASSERT_EQ(adult->size(), 1U);
  EXPECT_EQ(adult->front().verdict, WhatIfResult::Verdict::kImpossible);  // `born` is fixed
  EXPECT_FALSE(adult->front().answer.has_value());

  // A held field the case record does not have is refused, as for --what-if.
  o.held = {"no_such_field"};
  EXPECT_FALSE(NearestRuleChanges(*e, may_work, kCase, o, diags).has_value());
}

TEST(WhatIfTest, ASetLargerThanTheLimitIsReportedAsSuchWithAProof) {
  const auto e = Load();
  ASSERT_TRUE(e);
  WhatIfOptions o;
  o.max_changes = 2;  // all_three needs hours, level (exchange is already true) ... and more
  const std::string c = R"({"person": {"born": "2010-05-01", "name": "A"}, "hours": 25,
    "level": "undergraduate", "exchange": false, "fee": 750.5, "items": []})";
  const WhatIfResult r = Ask(*e, "t.all_three", o, c);
  EXPECT_EQ(r.verdict, WhatIfResult::Verdict::kNoneWithin);
  o.max_changes = 3;
  const WhatIfResult three = Ask(*e, "t.all_three", o, c);
  ASSERT_EQ(three.verdict, WhatIfResult::Verdict::kFound);
  EXPECT_EQ(three.answers[0].changes.size(), 3u);
}

TEST(WhatIfTest, AlreadyTheWantedValue) {
  const auto e = Load();
  ASSERT_TRUE(e);
  WhatIfOptions o;
  o.want = "false";
  EXPECT_EQ(Ask(*e, "t.may_work", o).verdict, WhatIfResult::Verdict::kAlready);
}

TEST(WhatIfTest, ATamperedEncodingIsCaughtByTheInterpreterNotPrinted) {
  const auto e = Load();
  ASSERT_TRUE(e);
  WhatIfOptions o;
  // The goal replaced by `true`: Z3 then proposes single changes (the exchange flag, say) that
  // do not make the decision true while the hours are over 20. The interpreter must reject them.
  o.tamper_goal = [](const z3::expr& goal) { return goal.ctx().bool_val(true); };
  const WhatIfResult r = Ask(*e, "t.may_work", o);
  EXPECT_GT(r.rejected, 0u);
  for (const WhatIfAnswer& a : r.answers) {
    EXPECT_EQ(a.value_json, "true") << a.case_json;  // nothing unconfirmed is reported
  }
  EXPECT_NE(r.verdict, WhatIfResult::Verdict::kNoneWithin);  // rejected models are no proof
}

TEST(WhatIfTest, ListsTheEncodingDoesNotModelAreNeverAnUnconfirmedAnswer) {
  const auto e = Load();
  ASSERT_TRUE(e);
  // `length(c.items)` is approximated: Z3 may pick any length, but the witness keeps the case's
  // (empty) list, so the interpreter rejects every model; no answer is printed and nothing is
  // claimed as proven.
  const WhatIfResult r = Ask(*e, "t.counted", {});
  EXPECT_TRUE(r.answers.empty());
  EXPECT_EQ(r.verdict, WhatIfResult::Verdict::kUnknown);
  EXPECT_FALSE(r.approximations.empty());
}

TEST(WhatIfTest, FixedIsASoftKeywordAFieldMayStillBeCalledFixed) {
  const LoadResult r = Engine::LoadSources({{"f.policy", R"(module f

record Case {
  fixed: Bool
  fixed fixed_too: Int
}

decision d(c: Case) -> Bool
  default false
  rule r when c.fixed and c.fixed_too > 1 then true
)"}});
  ASSERT_TRUE(r.engine);
  const ir::Program& ir = r.engine->program().ir();
  const auto& fields = ir.types.record_info(ir.decisions[*r.engine->FindDecision("f.d")].params[0]).fields;
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_FALSE(fields[0].fixed);
  EXPECT_TRUE(fields[1].fixed);
  WhatIfOptions o;
  o.as_of = *Date::FromCivil(2025, 9, 1);
  DiagnosticSink diags;
  const auto w =
      WhatIf(*r.engine, *r.engine->FindDecision("f.d"), R"({"fixed": true, "fixed_too": 0})", o, diags);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->verdict, WhatIfResult::Verdict::kImpossible);  // only `fixed_too` could do it
}

TEST(WhatIfTest, BadOptionsAreReportedNotAnswered) {
  const auto e = Load();
  ASSERT_TRUE(e);
  const auto expect_error = [&](WhatIfOptions o, const std::string& c, const std::string& needle) {
    o.as_of = *Date::FromCivil(2025, 9, 1);
    DiagnosticSink diags;
    EXPECT_FALSE(WhatIf(*e, *e->FindDecision("t.may_work"), c, o, diags).has_value());
    ASSERT_FALSE(diags.diagnostics().empty());
    EXPECT_NE(diags.diagnostics().front().message.find(needle), std::string::npos)
        << diags.diagnostics().front().message;
  };
  WhatIfOptions bad_want;
  bad_want.want = "maybe";
  expect_error(bad_want, kCase, "not a value of `Bool`");
  WhatIfOptions bad_field;
  bad_field.held = {"person.age"};
  expect_error(bad_field, kCase, "`person.age` is not a field");
  expect_error({}, R"({"hours": "many"})", "");
  expect_error({}, "{not json", "");
}

// ---- the bundled policies ----------------------------------------------------------------------

auto ReadFile(const std::string& path) -> std::string {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

auto Bundled() -> std::shared_ptr<const Engine> {
  const LoadResult r = Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"});
  return r.engine;
}

TEST(WhatIfBundledTest, TheExchangeStudentNeedsOneChangeForPartTimeWork) {
  const auto e = Bundled();
  ASSERT_TRUE(e);
  const std::string c = ReadFile(std::string(POLICY_SOURCE_DIR) + "/examples/cases/hk_exchange_student.json");
  const WhatIfResult r = Ask(*e, "hk.employment.part_time_on_campus_allowed", {}, c);
  ASSERT_EQ(r.verdict, WhatIfResult::Verdict::kFound);
  ASSERT_FALSE(r.answers.empty());
  ASSERT_EQ(r.answers[0].changes.size(), 1u);
  EXPECT_EQ(r.answers[0].changes[0].path, "$.exchange.is_exchange_student");
  EXPECT_EQ(r.answers[0].changes[0].before, "true");
  EXPECT_EQ(r.answers[0].changes[0].after, "false");
  const ir::Decision& d =
      e->program().ir().decisions[*e->FindDecision("hk.employment.part_time_on_campus_allowed")];
  ASSERT_EQ(r.answers[0].deciding_rules.size(), 1u);
  EXPECT_EQ(d.rules[r.answers[0].deciding_rules[0]].source, "ImmD FAQ Q20");
  // Every other answer changes more than one field.
  for (size_t i = 1; i < r.answers.size(); ++i) {
    EXPECT_GT(r.answers[i].changes.size(), 1u);
  }
}

TEST(WhatIfBundledTest, AnAdultApplicantCannotBecomeAMinorWithTheDatesHeld) {
  const auto e = Bundled();
  ASSERT_TRUE(e);
  const std::string c = ReadFile(std::string(POLICY_SOURCE_DIR) + "/examples/cases/hk_exchange_student.json");
  WhatIfOptions o;
  o.held = {"dates.application_date"};
  const WhatIfResult r = Ask(*e, "hk.entry.applicant_under_18", o, c);
  EXPECT_EQ(r.value_json, "false");
  EXPECT_EQ(r.verdict, WhatIfResult::Verdict::kImpossible);
  // With the application date free, applying before the 18th birthday would do it.
  const WhatIfResult free = Ask(*e, "hk.entry.applicant_under_18", {}, c);
  ASSERT_EQ(free.verdict, WhatIfResult::Verdict::kFound);
  EXPECT_EQ(free.answers[0].changes[0].path, "$.dates.application_date");
}

}  // namespace
}  // namespace policy

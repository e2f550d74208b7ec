// `policy diff` (runtime/analysis/diff.h) on the bundled policies: dropping the exchange-student
// exception of the HK employment policy is found, with a witness exchange student whose result
// the interpreter reproduces on both sides, by Z3 and by the bounded search alone; the same
// policies compared with themselves are proven the same; a moved threshold is found at the
// boundary; added and removed decisions are listed. Over time: a raise from next year is found
// from its first day, a parameter is compared as a value over its dating, and a transitional
// provision keyed on a case date (`e as of d`) is found with a witness the interpreter
// reproduces. Changed constants are reported and named as causes.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "runtime/analysis/diff.h"
#include "tests/support/engine_test_support.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

using test::ReadFile;

auto Bundled() -> std::vector<std::pair<std::string, std::string>> {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(POLICY_SOURCE_DIR) / "policies")) {
    if (e.path().extension() == ".policy") {
      files.emplace_back(e.path().string(), ReadFile(e.path()));
    }
  }
  return files;
}

auto Seeds() -> std::vector<std::string> {
  std::vector<std::string> seeds;
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
    paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    seeds.push_back(ReadFile(p));
  }
  return seeds;
}

// The bundled policies with the exchange-student exception (ImmD FAQ Q23) removed.
auto WithoutExchangeException() -> std::vector<std::pair<std::string, std::string>> {
  auto files = Bundled();
  for (auto& [path, text] : files) {
    if (path.find("employment.policy") == std::string::npos) {
      continue;
    }
    const size_t at = text.find("  exception exchange_students to relaxation_2014");
    EXPECT_NE(at, std::string::npos);
    const size_t end = text.find("    then false\n", at);
    text.erase(at, end + std::string("    then false\n").size() - at);
  }
  return files;
}

// The interpreter's outcome of `decision` on a case record (JSON) on `as_of`.
auto Outcome(const Engine& e, const std::string& decision, const std::string& json, Date as_of)
    -> std::string {
  return test::OutcomeOnCase(e, *e.FindDecision(decision), json, as_of);
}

TEST(DiffTest, DroppingTheExchangeExceptionIsFoundWithAnExchangeStudent) {
  const LoadResult old_set = Engine::LoadSources(Bundled());
  const LoadResult new_set = Engine::LoadSources(WithoutExchangeException());
  ASSERT_NE(old_set.engine, nullptr);
  ASSERT_NE(new_set.engine, nullptr);
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  options.seeds = Seeds();
  options.budget = 300;
  const std::string name = "hk.employment.part_time_on_campus_allowed";
  options.decisions = {name, "hk.entry.eligible"};
  const auto results = DiffPolicySets(*old_set.engine, *new_set.engine, options);
  ASSERT_EQ(results.size(), 2U);
  const DecisionDiff& d = results[0];
  ASSERT_EQ(d.status, DecisionDiff::Status::kDifferent);
  const auto witness = nlohmann::json::parse(d.witness);
  EXPECT_TRUE(witness["exchange"]["is_exchange_student"].get<bool>()) << d.witness;
  EXPECT_EQ(d.old_side.outcome, "false");
  EXPECT_EQ(d.new_side.outcome, "true");
  ASSERT_FALSE(d.old_side.rules.empty());
  EXPECT_NE(d.old_side.rules[0].find("exchange_students"), std::string::npos);
  EXPECT_NE(d.new_side.rules[0].find("relaxation_2014"), std::string::npos);
  // The witness is a real case: the interpreter gives the two results again.
  EXPECT_EQ(Outcome(*old_set.engine, name, d.witness, *options.as_of), "false");
  EXPECT_EQ(Outcome(*new_set.engine, name, d.witness, *options.as_of), "true");
  EXPECT_EQ(d.method, "smt");
  // Admission does not depend on the exception, and Z3 proves it.
  EXPECT_EQ(results[1].status, DecisionDiff::Status::kSame);
  EXPECT_TRUE(results[1].proven);
}

// Decisions are compared on several threads at once; what each gets does not depend on how many
// (each has its own Z3 context and its own seeded search), and they come in the order asked.
TEST(DiffTest, TheResultsDoNotDependOnTheNumberOfThreads) {
  const LoadResult old_set = Engine::LoadSources(Bundled());
  const LoadResult new_set = Engine::LoadSources(WithoutExchangeException());
  ASSERT_TRUE(old_set.engine && new_set.engine);
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  options.seeds = Seeds();
  options.budget = 50;
  options.prove_identical = true;  // every decision through DiffOne, so the threads have work
  options.decisions = {"hk.employment.part_time_on_campus_allowed",
                       "hk.employment.part_time_max_hours_per_week", "hk.entry.eligible",
                       "hk.stay.limit_of_stay", "hk.employment.part_time_hours_per_week"};
  options.threads = 1;
  const auto one = DiffPolicySets(*old_set.engine, *new_set.engine, options);
  options.threads = 3;
  const auto three = DiffPolicySets(*old_set.engine, *new_set.engine, options);
  ASSERT_EQ(one.size(), three.size());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].decision, three[i].decision);
    EXPECT_EQ(one[i].status, three[i].status) << one[i].decision;
    EXPECT_EQ(one[i].proven, three[i].proven) << one[i].decision;
    EXPECT_EQ(one[i].old_side.outcome, three[i].old_side.outcome) << one[i].decision;
    EXPECT_EQ(one[i].new_side.outcome, three[i].new_side.outcome) << one[i].decision;
  }
  EXPECT_EQ(one[4].decision, "hk.employment.part_time_hours_per_week");  // in the order asked
  EXPECT_EQ(one[0].status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(one[1].status, DecisionDiff::Status::kDifferent);
}

TEST(DiffTest, WithoutTheSolverTheBoundedSearchFindsTheExchangeStudentToo) {
  const LoadResult old_set = Engine::LoadSources(Bundled());
  const LoadResult new_set = Engine::LoadSources(WithoutExchangeException());
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  options.seeds = Seeds();
  options.budget = 300;
  options.prove = false;
  options.prove_identical = true;  // hk.entry.eligible is unchanged: search it too, not shortcut it
  options.decisions = {"hk.employment.part_time_on_campus_allowed", "hk.entry.eligible"};
  const auto results = DiffPolicySets(*old_set.engine, *new_set.engine, options);
  ASSERT_EQ(results.size(), 2U);
  ASSERT_EQ(results[0].status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(results[0].method, "search");
  EXPECT_TRUE(nlohmann::json::parse(results[0].witness)["exchange"]["is_exchange_student"].get<bool>());
  EXPECT_EQ(results[1].status, DecisionDiff::Status::kSame);
  EXPECT_FALSE(results[1].proven);
  EXPECT_EQ(results[1].cases_tried, 300U);
}

TEST(DiffTest, ChangingAThresholdIsFoundAtTheBoundary) {
  const char* kOld =
      "module m\nrecord C {\n  age: Int\n}\ndecision adult(c: C) -> Bool\n  default false\n  rule r\n    "
      "when c.age >= 18\n    then true\n";
  const char* kNew =
      "module m\nrecord C {\n  age: Int\n}\ndecision adult(c: C) -> Bool\n  default false\n  rule r\n    "
      "when c.age >= 21\n    then true\n";
  const LoadResult a = Engine::LoadSources({{"m.policy", kOld}});
  const LoadResult b = Engine::LoadSources({{"m.policy", kNew}});
  ASSERT_TRUE(a.engine && b.engine);
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  options.seeds = {R"({"age": 40})"};
  const auto results = DiffPolicySets(*a.engine, *b.engine, options);
  ASSERT_EQ(results.size(), 1U);
  ASSERT_EQ(results[0].status, DecisionDiff::Status::kDifferent);
  const int64_t age = nlohmann::json::parse(results[0].witness)["age"].get<int64_t>();
  EXPECT_GE(age, 18);
  EXPECT_LT(age, 21);
  // The same threshold written another way is proven equivalent.
  const char* kSame =
      "module m\nrecord C {\n  age: Int\n}\ndecision adult(c: C) -> Bool\n  default false\n  rule r\n    "
      "when not (c.age < 18)\n    then true\n";
  const LoadResult s = Engine::LoadSources({{"m.policy", kSame}});
  ASSERT_TRUE(s.engine);
  const auto same = DiffPolicySets(*a.engine, *s.engine, options);
  ASSERT_EQ(same.size(), 1U);
  EXPECT_EQ(same[0].status, DecisionDiff::Status::kSame);
  EXPECT_TRUE(same[0].proven);
}

// `>` against `>=` differs only at the boundary itself, a decimal with 18 places: the seed that
// sits on it (bounded search) and Z3's witness both reach the interpreters and the witness text
// exactly. Through a double the boundary would read as 0.12345678901234568, where both agree.
TEST(DiffTest, AThresholdWith18PlacesIsFoundExactly) {
  const char* kOld =
      "module m\nrecord C {\n  rate: Decimal\n}\ndecision high(c: C) -> Bool\n  default false\n  rule r\n"
      "    when c.rate > 0.123456789012345678\n    then true\n";
  const char* kNew =
      "module m\nrecord C {\n  rate: Decimal\n}\ndecision high(c: C) -> Bool\n  default false\n  rule r\n"
      "    when c.rate >= 0.123456789012345678\n    then true\n";
  const LoadResult a = Engine::LoadSources({{"m.policy", kOld}});
  const LoadResult b = Engine::LoadSources({{"m.policy", kNew}});
  ASSERT_TRUE(a.engine && b.engine);
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  options.seeds = {R"({"rate": 0.123456789012345678})"};
  options.prove = false;
  options.budget = 1;
  const auto searched = DiffPolicySets(*a.engine, *b.engine, options);
  ASSERT_EQ(searched.size(), 1U);
  ASSERT_EQ(searched[0].status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(searched[0].witness, "{\n  \"rate\": 0.123456789012345678\n}");
  options.seeds = {R"({"rate": 7.5})"};
  options.prove = true;
  const auto proved = DiffPolicySets(*a.engine, *b.engine, options);
  ASSERT_EQ(proved.size(), 1U);
  ASSERT_EQ(proved[0].status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(proved[0].method, "smt");
  EXPECT_EQ(proved[0].witness, "{\n  \"rate\": 0.123456789012345678\n}");
  EXPECT_EQ(proved[0].old_side.outcome, "false");
  EXPECT_EQ(proved[0].new_side.outcome, "true");
}

TEST(DiffTest, APolicySetDoesNotDifferFromItself) {
  const LoadResult a = Engine::LoadSources(Bundled());
  const LoadResult b = Engine::LoadSources(Bundled());
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  options.seeds = Seeds();
  options.budget = 100;
  options.prove_identical = true;  // the encoding's coverage, not the identical-definition shortcut
  size_t proven = 0;
  size_t compared = 0;
  for (const DecisionDiff& d : DiffPolicySets(*a.engine, *b.engine, options)) {
    EXPECT_NE(d.status, DecisionDiff::Status::kDifferent) << d.decision;
    compared += d.status == DecisionDiff::Status::kSame ? 1 : 0;
    proven += d.proven ? 1 : 0;
  }
  // Identical versions are proven identical wherever the encoding is exact (lists from the case
  // and the working-day builtins are approximated; those are searched instead).
  EXPECT_GT(proven, compared * 3 / 4);
}

TEST(DiffTest, AddedAndRemovedDecisionsAreListed) {
  const LoadResult a =
      Engine::LoadSources({{"m.policy", "module m\ndecision x(n: Int) -> Int\n  rule r then n\n"}});
  const LoadResult b =
      Engine::LoadSources({{"m.policy", "module m\ndecision y(n: Int) -> Int\n  rule r then n\n"}});
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  const auto results = DiffPolicySets(*a.engine, *b.engine, options);
  ASSERT_EQ(results.size(), 2U);
  EXPECT_EQ(results[0].status, DecisionDiff::Status::kOnlyInOld);
  EXPECT_EQ(results[1].status, DecisionDiff::Status::kOnlyInNew);
}

}  // namespace
}  // namespace policy

namespace policy {
namespace {

// The bundled policies with the weekly limit raised from 20 to 24 hours from 2027-01-01, the way
// docs/language.md recommends: the old value ends, a new one begins.
auto WithWeeklyLimitRaised(const std::string& old_until) -> std::vector<std::pair<std::string, std::string>> {
  auto files = Bundled();
  for (auto& [path, text] : files) {
    const std::string line = "  value 20 effective from 2014-03-17\n";
    if (const size_t at = text.find(line);
        at != std::string::npos && path.find("employment") != std::string::npos) {
      text.replace(at, line.size(),
                   "  value 20 effective from 2014-03-17 until " + old_until +
                       "\n  value 24 effective from 2027-01-01\n");
    }
  }
  return files;
}

// Issue 33's first reproduction: compared on one date (today) the change was invisible and
// "proven" the same; compared on every date it is found from the day it takes effect, with the
// parameter named as the cause, and the witness date reproduces on the interpreter.
TEST(DiffOverTimeTest, ARaiseFromNextYearIsFoundFromItsFirstDay) {
  const LoadResult old_set = Engine::LoadSources(Bundled());
  const LoadResult new_set = Engine::LoadSources(WithWeeklyLimitRaised("2026-12-31"));
  ASSERT_NE(old_set.engine, nullptr);
  ASSERT_NE(new_set.engine, nullptr);
  const std::string name = "hk.employment.part_time_max_hours_per_week";
  DiffOptions options;
  options.today = *Date::FromCivil(2026, 12, 6);
  options.seeds = Seeds();
  options.budget = 100;
  options.decisions = {name};
  auto results = DiffPolicySets(*old_set.engine, *new_set.engine, options);
  ASSERT_EQ(results.size(), 1U);
  const DecisionDiff& d = results[0];
  ASSERT_EQ(d.status, DecisionDiff::Status::kDifferent);
  ASSERT_TRUE(d.differs_on.has_value());
  EXPECT_EQ(d.differs_on->from, Date::FromCivil(2027, 1, 1));
  EXPECT_EQ(d.differs_on->until, Date::FromCivil(9999, 12, 31));
  ASSERT_TRUE(d.witness_as_of.has_value());
  EXPECT_EQ(*d.witness_as_of, *Date::FromCivil(2027, 1, 1));
  EXPECT_EQ(d.old_side.outcome, "20");
  EXPECT_EQ(d.new_side.outcome, "24");
  EXPECT_EQ(Outcome(*old_set.engine, name, d.witness, *d.witness_as_of), "20");
  EXPECT_EQ(Outcome(*new_set.engine, name, d.witness, *d.witness_as_of), "24");
  ASSERT_EQ(d.causes.size(), 1U);
  EXPECT_EQ(d.causes[0], "hk.employment.part_time_hours_per_week (20 -> 24 from 2027-01-01)");
  // On one date before the change, nothing differs, and that is proven.
  options.as_of = *Date::FromCivil(2026, 12, 6);
  results = DiffPolicySets(*old_set.engine, *new_set.engine, options);
  EXPECT_EQ(results[0].status, DecisionDiff::Status::kSame);
  EXPECT_TRUE(results[0].proven);
}

// The parameter itself is compared as a value over time. A one-day gap left by ending the old
// value early no longer loads (E0408: the checker rejects it before any diff); a value that ends
// with nothing after it is a difference from the day after.
TEST(DiffOverTimeTest, AParameterIsComparedOverItsEffectiveDating) {
  const LoadResult old_set = Engine::LoadSources(Bundled());
  const LoadResult gap = Engine::LoadSources(WithWeeklyLimitRaised("2026-12-30"));
  ASSERT_EQ(gap.engine, nullptr);
  ASSERT_FALSE(gap.diagnostics.diagnostics().empty());
  EXPECT_EQ(gap.diagnostics.diagnostics()[0].code, DiagCode::kParameterGap);
  const LoadResult new_set = Engine::LoadSources(WithWeeklyLimitRaised("2026-12-31"));
  ASSERT_NE(new_set.engine, nullptr);
  DiffOptions options;
  options.today = *Date::FromCivil(2026, 12, 6);
  options.decisions = {"hk.employment.part_time_hours_per_week"};
  auto results = DiffPolicySets(*old_set.engine, *new_set.engine, options);
  ASSERT_EQ(results.size(), 1U);
  ASSERT_EQ(results[0].status, DecisionDiff::Status::kDifferent);
  ASSERT_EQ(results[0].value_changes.size(), 1U);
  EXPECT_EQ(DescribeValueChange(results[0].value_changes[0]), "20 -> 24 from 2027-01-01");
  auto ended = Bundled();
  for (auto& [path, text] : ended) {
    const std::string line = "  value 20 effective from 2014-03-17\n";
    if (const size_t at = text.find(line);
        at != std::string::npos && path.find("employment") != std::string::npos) {
      text.replace(at, line.size(), "  value 20 effective from 2014-03-17 until 2026-12-31\n");
    }
  }
  const LoadResult ended_set = Engine::LoadSources(ended);
  ASSERT_NE(ended_set.engine, nullptr);
  results = DiffPolicySets(*old_set.engine, *ended_set.engine, options);
  ASSERT_EQ(results.size(), 1U);
  ASSERT_EQ(results[0].value_changes.size(), 1U);
  EXPECT_EQ(DescribeValueChange(results[0].value_changes[0]), "20 -> not applicable from 2027-01-01");
}

}  // namespace
}  // namespace policy

namespace policy {
namespace {

// A `const` changed between the two sides: compared by name like a parameter, reported as
// `a -> b`, and named as a cause of the decisions that read it, directly, through a function
// or through another constant computed from it. An unchanged constant is not listed unless it
// is asked for, and a decision that reads only it is proven the same.
TEST(DiffConstantsTest, AChangedConstantIsReportedAndNamedAsTheCause) {
  const char* kOld = R"(module m
record Stay {
  nights: Int
  student: Bool
}
const nightly_rate: Int = 100
const weekly_rate: Int = nightly_rate * 6
const student_discount: Int = 10
const deposit: Int = 500
def discount(s: Stay) -> Int = if s.student then student_discount else 0
decision fee(s: Stay) -> Int
  default s.nights / 7 * weekly_rate + s.nights % 7 * nightly_rate
decision student_fee(s: Stay) -> Int
  default 0 - discount(s)
decision deposit_due(s: Stay) -> Int
  default deposit
)";
  std::string changed = kOld;
  changed.replace(changed.find("= 100"), 5, "= 120");
  const LoadResult a = Engine::LoadSources({{"m.policy", kOld}});
  const LoadResult b = Engine::LoadSources({{"m.policy", changed}});
  ASSERT_TRUE(a.engine && b.engine);
  DiffOptions options;
  options.today = *Date::FromCivil(2025, 9, 1);
  options.seeds = {R"({"nights": 8, "student": true})"};
  auto results = DiffPolicySets(*a.engine, *b.engine, options);
  std::map<std::string, const DecisionDiff*> by_name;
  for (const DecisionDiff& d : results) {
    by_name[d.decision] = &d;
  }
  // The decisions, and of the constants only the two that differ.
  ASSERT_EQ(by_name.size(), 5U);
  ASSERT_TRUE(by_name.contains("m.nightly_rate"));
  const DecisionDiff& rate = *by_name["m.nightly_rate"];
  EXPECT_TRUE(rate.constant);
  EXPECT_EQ(rate.status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(DescribeConstantChange(rate), "100 -> 120");
  ASSERT_TRUE(by_name.contains("m.weekly_rate"));
  EXPECT_EQ(DescribeConstantChange(*by_name["m.weekly_rate"]), "600 -> 720");
  EXPECT_FALSE(by_name.contains("m.deposit"));
  EXPECT_FALSE(by_name.contains("m.student_discount"));
  const DecisionDiff& fee = *by_name["m.fee"];
  ASSERT_EQ(fee.status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(fee.causes,
            (std::vector<std::string>{"m.nightly_rate (100 -> 120)", "m.weekly_rate (600 -> 720)"}));
  // 8 nights: a week and a night, 600 + 100 before and 720 + 120 after.
  EXPECT_EQ(fee.old_side.outcome, "700");
  EXPECT_EQ(fee.new_side.outcome, "840");
  EXPECT_EQ(by_name["m.student_fee"]->status, DecisionDiff::Status::kSame);
  EXPECT_EQ(by_name["m.deposit_due"]->status, DecisionDiff::Status::kSame);
  EXPECT_TRUE(by_name["m.deposit_due"]->proven);

  // Through a function: the discount changes, and the decision that calls the function names it.
  std::string discounted = kOld;
  discounted.replace(discounted.find("= 10\n"), 5, "= 30\n");
  const LoadResult c = Engine::LoadSources({{"m.policy", discounted}});
  ASSERT_TRUE(c.engine);
  options.decisions = {"m.student_fee", "m.deposit"};
  results = DiffPolicySets(*a.engine, *c.engine, options);
  ASSERT_EQ(results.size(), 2U);
  ASSERT_EQ(results[0].status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(results[0].causes, (std::vector<std::string>{"m.student_discount (10 -> 30)"}));
  EXPECT_EQ(results[0].old_side.outcome, "-10");
  EXPECT_EQ(results[0].new_side.outcome, "-30");
  // Asked for by name, an unchanged constant is listed, the same.
  EXPECT_TRUE(results[1].constant);
  EXPECT_EQ(results[1].status, DecisionDiff::Status::kSame);
}

// A transitional provision keyed on a date of the case (the limit `as of` the date the
// application was submitted): raising the limit from 2027-01-01 changes the answer only for
// applications submitted from then on, on every evaluation date. diff finds it through `e as
// of d`, and the interpreter confirms the witness on its date: the two sides differ on it, and
// do not once the same application is dated the day before the change.
TEST(DiffOverTimeTest, ATransitionalProvisionOnACaseDateIsFoundAndItsWitnessReproduces) {
  const char* kOld = R"(module t
record Application {
  submitted_on: Date
  hours: Int
}
parameter weekly_limit: Int
  value 20 effective from 2014-03-17
decision within_limit(a: Application) -> Bool
  default false
  rule on_submission
    when a.hours <= weekly_limit as of a.submitted_on
    then true
)";
  std::string raised = kOld;
  const std::string line = "  value 20 effective from 2014-03-17\n";
  raised.replace(
      raised.find(line), line.size(),
      "  value 20 effective from 2014-03-17 until 2026-12-31\n  value 24 effective from 2027-01-01\n");
  const LoadResult a = Engine::LoadSources({{"t.policy", kOld}});
  const LoadResult b = Engine::LoadSources({{"t.policy", raised}});
  ASSERT_TRUE(a.engine && b.engine);
  const std::string name = "t.within_limit";
  DiffOptions options;
  options.today = *Date::FromCivil(2025, 9, 1);
  options.seeds = {R"({"submitted_on": "2025-06-02", "hours": 10})"};
  options.decisions = {name};
  const auto results = DiffPolicySets(*a.engine, *b.engine, options);
  ASSERT_EQ(results.size(), 1U);
  const DecisionDiff& d = results[0];
  ASSERT_EQ(d.status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(d.method, "smt");
  EXPECT_EQ(d.causes, (std::vector<std::string>{"t.weekly_limit (20 -> 24 from 2027-01-01)"}));
  ASSERT_TRUE(d.witness_as_of.has_value());
  auto witness = nlohmann::json::parse(d.witness);
  const Date submitted = *Date::Parse(witness["submitted_on"].get<std::string>());
  EXPECT_GE(submitted, *Date::FromCivil(2027, 1, 1)) << d.witness;
  const int64_t hours = witness["hours"].get<int64_t>();
  EXPECT_GT(hours, 20);
  EXPECT_LE(hours, 24);
  // The interpreter, on the witness date: the two sides really differ.
  EXPECT_EQ(Outcome(*a.engine, name, d.witness, *d.witness_as_of), "false");
  EXPECT_EQ(Outcome(*b.engine, name, d.witness, *d.witness_as_of), "true");
  EXPECT_EQ(d.old_side.outcome, "false");
  EXPECT_EQ(d.new_side.outcome, "true");
  // The same application submitted the day before the change is decided alike.
  witness["submitted_on"] = "2026-12-31";
  EXPECT_EQ(Outcome(*a.engine, name, witness.dump(), *d.witness_as_of), "false");
  EXPECT_EQ(Outcome(*b.engine, name, witness.dump(), *d.witness_as_of), "false");
  // On one evaluation date, long before 2027, the difference is still there: it is the case's
  // date that matters, not the evaluation date.
  options.as_of = *Date::FromCivil(2020, 6, 1);
  const auto on_one_date = DiffPolicySets(*a.engine, *b.engine, options);
  ASSERT_EQ(on_one_date.size(), 1U);
  EXPECT_EQ(on_one_date[0].status, DecisionDiff::Status::kDifferent);
  EXPECT_EQ(Outcome(*a.engine, name, on_one_date[0].witness, *options.as_of), "false");
  EXPECT_EQ(Outcome(*b.engine, name, on_one_date[0].witness, *options.as_of), "true");
}

}  // namespace
}  // namespace policy

// Evaluator::Decide, the hot-loop form of Evaluate: it must give exactly what Evaluate gives
// (value, applicability, in effect) on every decision and example case, on the interpreter and
// on the JIT's machine code, and refuse what Evaluate refuses with the same error code.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "policy/policy.hpp"
#include "tests/unit/api/api_test_support.h"

namespace policy::api {
namespace {

namespace fs = std::filesystem;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr const char* kD1 = "hk.employment.part_time_on_campus_allowed";

auto Dir() -> std::string {
  return (fs::path(POLICY_SOURCE_DIR) / "policies").string();
}

auto Examples() -> std::vector<std::string> {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
    if (e.path().extension() == ".json") {
      out.push_back(ReadFile(e.path()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every decision of one case record, every example, three dates (before, on and after the
// 2014 relaxation): Decide and Evaluate agree, including on errors.
void ExpectDecideEqualsEvaluate(bool jit) {
  LoadOptions options;
  options.jit = jit;
  auto set = PolicySet::Load({Dir()}, options);
  ASSERT_TRUE(set.ok()) << set.error().message;
  Evaluator ev(*set);
  const std::vector<std::string> examples = Examples();
  ASSERT_FALSE(examples.empty());
  size_t compared = 0;
  size_t native = 0;
  for (const std::string& name : set->decision_names()) {
    auto d = set->decision(name);
    if (!d.ok()) {
      continue;  // not a decision of one case record
    }
    native += d->native() ? 1 : 0;
    for (const std::string& json : examples) {
      auto facts = d->FactsFromJson(json);
      ASSERT_TRUE(facts.ok()) << facts.error().message;
      for (const Date as_of : {Date{year{2014}, month{3}, day{16}}, Date{year{2014}, month{3}, day{17}},
                               Date{year{2025}, month{9}, day{1}}}) {
        auto full = ev.Evaluate(*d, *facts, as_of);
        const std::string expected =
            full.ok() ? fmt::format("{} {} {}", full->applicable, full->in_effect, full->value.to_json())
                      : fmt::format("error {}", static_cast<int>(full.error().code));
        const Decided quick = ev.Decide(*d, *facts, as_of);
        const std::string actual =
            quick.ok() ? fmt::format("{} {} {}", quick.applicable, quick.in_effect, quick.value.to_json())
                       : fmt::format("error {}", static_cast<int>(*quick.error));
        EXPECT_EQ(actual, expected) << name << " as of " << FormatDate(as_of);
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 500U);
#ifdef POLICY_TEST_JIT
  if (jit) {
    EXPECT_GT(native, 0U) << "the JIT compiled nothing: Decide's native path went untested";
  }
#endif
}

TEST(DecideTest, EqualsEvaluateOnTheInterpreter) {
  ExpectDecideEqualsEvaluate(false);
}

TEST(DecideTest, EqualsEvaluateOnMachineCode) {
  ExpectDecideEqualsEvaluate(true);
}

// Every check, on both evaluation paths (Decide's checks on machine code are the same code, but
// its fast path compares keys, and this is where a wrong key would show).
class DecideRefusalTest : public testing::TestWithParam<bool> {};

TEST_P(DecideRefusalTest, RefusesWhatEvaluateRefusesWithTheSameCode) {
  LoadOptions options;
  options.jit = GetParam();
  auto set = PolicySet::Load({Dir()}, options);
  ASSERT_TRUE(set.ok());
  auto other = PolicySet::Load({Dir()}, options);
  ASSERT_TRUE(other.ok());
  const Decision d1 = *set->decision(kD1);
  const Decision their_d1 = *other->decision(kD1);
  const std::string json =
      ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  auto facts = d1.FactsFromJson(json);
  ASSERT_TRUE(facts.ok());
  auto their_facts = other->decision(kD1)->FactsFromJson(json);
  ASSERT_TRUE(their_facts.ok());
  auto incomplete = d1.NewFacts();
  ASSERT_TRUE(incomplete.ok());
  Evaluator ev(*set);
  Evaluator no_set;
  const Date ok_date{year{2025}, month{9}, day{1}};
  const Date bad_date{year{2025}, month{2}, day{30}};
  struct Case {
    Evaluator* ev;
    const Decision* decision;
    const Facts* facts;
    Date as_of;
    ErrorCode code;
  };
  const Decision empty;
  const Case cases[] = {
      {&no_set, &d1, &*facts, ok_date, ErrorCode::kInvalidArgument},
      {&ev, &empty, &*facts, ok_date, ErrorCode::kInvalidArgument},
      {&ev, &d1, &*facts, bad_date, ErrorCode::kInvalidArgument},
      {&ev, &d1, &*their_facts, ok_date, ErrorCode::kStale},
      {&ev, &their_d1, &*their_facts, ok_date, ErrorCode::kStale},
      {&ev, &their_d1, &*facts, ok_date, ErrorCode::kStale},
      {&ev, &d1, &*incomplete, ok_date, ErrorCode::kIncompleteFacts},
  };
  for (const Case& c : cases) {
    const Decided quick = c.ev->Decide(*c.decision, *c.facts, c.as_of);
    ASSERT_FALSE(quick.ok());
    EXPECT_EQ(*quick.error, c.code);
    auto full = c.ev->Evaluate(*c.decision, *c.facts, c.as_of);
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().code, c.code) << full.error().message;
  }
  // And it still answers afterwards, on whichever date it is given: the converted date is kept
  // for the next call, and must change when the date does.
  const Decided in_effect = ev.Decide(d1, *facts, ok_date);
  ASSERT_TRUE(in_effect.ok());
  EXPECT_TRUE(in_effect.applicable);
  const Decided before = ev.Decide(d1, *facts, Date{year{2014}, month{3}, day{16}});
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before.applicable);
  EXPECT_FALSE(before.in_effect);
  EXPECT_TRUE(before.value.is_none());
  EXPECT_EQ(*ev.Decide(d1, *facts, bad_date).error, ErrorCode::kInvalidArgument);
  const Decided again = ev.Decide(d1, *facts, Date{year{2014}, month{3}, day{17}});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.applicable);
  EXPECT_EQ(again.value.as_bool(), in_effect.value.as_bool());
}

// The bundled policies read one case record; facts of another record type need a set of their own.
TEST_P(DecideRefusalTest, RefusesFactsOfAnotherRecordType) {
  LoadOptions options;
  options.jit = GetParam();
  auto set = PolicySet::LoadSources({{"two.policy", R"(module two
record A { n: Int }
record B { n: Int }
decision on_a(a: A) -> Int
  default a.n
decision on_b(b: B) -> Int
  default b.n + 1
)"}},
                                    options);
  ASSERT_TRUE(set.ok()) << set.error().message;
  const Decision on_a = *set->decision("two.on_a");
  const Decision on_b = *set->decision("two.on_b");
  auto a = on_a.NewFacts();
  auto b = on_b.NewFacts();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->Set(*on_a.field("n"), 4).ok());
  ASSERT_TRUE(b->Set(*on_b.field("n"), 4).ok());
  Evaluator ev(*set);
  const Date as_of{year{2025}, month{9}, day{1}};
  EXPECT_EQ(*ev.Decide(on_a, *b, as_of).error, ErrorCode::kTypeMismatch);
  EXPECT_EQ(*ev.Decide(on_b, *a, as_of).error, ErrorCode::kTypeMismatch);
  EXPECT_EQ(ev.Evaluate(on_a, *b, as_of).error().code, ErrorCode::kTypeMismatch);
  EXPECT_EQ(ev.Decide(on_a, *a, as_of).value.as_int(), 4);
  EXPECT_EQ(ev.Decide(on_b, *b, as_of).value.as_int(), 5);
}

// The inline Decide reads what the handles carry (policy.hpp): a moved-from handle must carry
// nothing it could follow, even after what it moved to is gone.
TEST_P(DecideRefusalTest, MovedFromHandlesAreRefusedNotFollowed) {
  LoadOptions options;
  options.jit = GetParam();
  const std::string json =
      ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  const Date as_of{year{2025}, month{9}, day{1}};
  // Each kept handle was moved from; what it moved to is destroyed with the set it keeps alive.
  Evaluator ev_kept;
  Decision d_kept;
  Facts facts_kept;
  {
    auto set = PolicySet::Load({Dir()}, options);
    ASSERT_TRUE(set.ok());
    Decision d = *set->decision(kD1);
    auto facts = d.FactsFromJson(json);
    ASSERT_TRUE(facts.ok());
    Evaluator ev(*set);
    ASSERT_TRUE(ev.Decide(d, *facts, as_of).ok());  // its date is converted, its code warm
    Evaluator ev_to(std::move(ev));
    Decision d_to(std::move(d));
    Facts facts_to(std::move(*facts));
    EXPECT_EQ(*ev.Decide(d_to, facts_to, as_of).error, ErrorCode::kInvalidArgument);
    EXPECT_EQ(*ev_to.Decide(d, facts_to, as_of).error, ErrorCode::kInvalidArgument);
    EXPECT_EQ(*ev_to.Decide(d_to, *facts, as_of).error, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(ev_to.Decide(d_to, facts_to, as_of).ok());
    ev_kept = std::move(ev);
    d_kept = std::move(d);
    facts_kept = std::move(*facts);
  }
  EXPECT_EQ(*ev_kept.Decide(d_kept, facts_kept, as_of).error, ErrorCode::kInvalidArgument);
}

// Decide's fast path trusts the facts' key only while every required fact is set: it must follow
// every setter, including one that makes the facts incomplete again.
TEST_P(DecideRefusalTest, FollowsFactsAsTheyAreSetAndCleared) {
  LoadOptions options;
  options.jit = GetParam();
  auto set = PolicySet::LoadSources({{"opt.policy", R"(module opt
record Job { hours: Int, weeks: Int }
record Case { n: Int, job: Job? }
decision d(c: Case) -> Int
  default c.n + (if c.job is none then 0 else 100)
)"}},
                                    options);
  ASSERT_TRUE(set.ok()) << set.error().message;
  const Decision d = *set->decision("opt.d");
  auto facts = d.NewFacts();
  ASSERT_TRUE(facts.ok());
  Evaluator ev(*set);
  const Date as_of{year{2025}, month{9}, day{1}};
  EXPECT_EQ(*ev.Decide(d, *facts, as_of).error, ErrorCode::kIncompleteFacts);
  ASSERT_TRUE(facts->Set(*d.field("n"), 4).ok());
  EXPECT_EQ(ev.Decide(d, *facts, as_of).value.as_int(), 4);
  // The first fact of the optional record brings the record in, and with it a required fact
  // still unset.
  ASSERT_TRUE(facts->Set(*d.field("job.hours"), 10).ok());
  EXPECT_EQ(*ev.Decide(d, *facts, as_of).error, ErrorCode::kIncompleteFacts);
  ASSERT_TRUE(facts->Set(*d.field("job.weeks"), 3).ok());
  EXPECT_EQ(ev.Decide(d, *facts, as_of).value.as_int(), 104);
  ASSERT_TRUE(facts->Clear(*d.field("job")).ok());
  EXPECT_EQ(ev.Decide(d, *facts, as_of).value.as_int(), 4);
  // A setter that fails after bringing the record in still leaves the facts incomplete.
  EXPECT_FALSE(facts->Set(*d.field("job.hours"), "ten").ok());
  EXPECT_EQ(*ev.Decide(d, *facts, as_of).error, ErrorCode::kIncompleteFacts);
  EXPECT_EQ(ev.Evaluate(d, *facts, as_of).error().code, ErrorCode::kIncompleteFacts);
  ASSERT_TRUE(facts->Set(*d.field("job.hours"), 1).ok());
  ASSERT_TRUE(facts->Set(*d.field("job.weeks"), 1).ok());
  ASSERT_TRUE(facts->Set(*d.field("n"), 5).ok());
  EXPECT_EQ(ev.Decide(d, *facts, as_of).value.as_int(), 105);
}

// The first date an evaluator sees is converted before anything runs on it, however its bits
// look (an all-zero year_month_day is no date), and so is every later one.
TEST_P(DecideRefusalTest, TheFirstDateIsCheckedLikeEveryOther) {
  LoadOptions options;
  options.jit = GetParam();
  auto set = PolicySet::Load({Dir()}, options);
  ASSERT_TRUE(set.ok());
  const Decision d1 = *set->decision(kD1);
  auto facts = d1.FactsFromJson(
      ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json"));
  ASSERT_TRUE(facts.ok());
  const Date zero{year{0}, month{0}, day{0}};
  Evaluator fresh(*set);
  EXPECT_EQ(*fresh.Decide(d1, *facts, zero).error, ErrorCode::kInvalidArgument);
  EXPECT_EQ(*fresh.Decide(Decision(), *facts, zero).error, ErrorCode::kInvalidArgument);
  Evaluator empty;
  EXPECT_EQ(*empty.Decide(d1, *facts, zero).error, ErrorCode::kInvalidArgument);
  EXPECT_EQ(*empty.Decide(Decision(), Facts(), zero).error, ErrorCode::kInvalidArgument);
  const Decided fine = fresh.Decide(d1, *facts, Date{year{2025}, month{9}, day{1}});
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(fine.value.as_bool());
  EXPECT_EQ(*fresh.Decide(d1, *facts, zero).error, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Paths, DecideRefusalTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& p) {
                           return p.param ? "Jit" : "Interpreter";
                         });

TEST(DecideTest, EvaluationErrorsAreTheCodeOnly) {
  // Two rules that conflict when n > 1: Decide says kEvaluationFailed, Evaluate says why; both
  // on the interpreter and on machine code (which gives up, so the interpreter reports).
  for (const bool jit : {false, true}) {
    LoadOptions options;
    options.jit = jit;
    auto loaded = PolicySet::LoadSources({{"conflict.policy", R"(module conflict
record Case { n: Int }
decision d(c: Case) -> Int
  rule a when c.n > 0 then 1
  rule b when c.n > 1 then 2
)"}},
                                         options);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    const Decision d = *loaded->decision("conflict.d");
    auto facts = d.NewFacts();
    ASSERT_TRUE(facts.ok());
    ASSERT_TRUE(facts->Set(*d.field("n"), 5).ok());
    Evaluator ev(*loaded);
    const Date as_of{year{2025}, month{9}, day{1}};
    const Decided failed = ev.Decide(d, *facts, as_of);
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(*failed.error, ErrorCode::kEvaluationFailed);
    ASSERT_TRUE(facts->Set(*d.field("n"), 1).ok());
    const Decided fine = ev.Decide(d, *facts, as_of);
    ASSERT_TRUE(fine.ok());
    EXPECT_TRUE(fine.applicable);
    EXPECT_EQ(fine.value.as_int(), 1);
  }
}

}  // namespace
}  // namespace policy::api

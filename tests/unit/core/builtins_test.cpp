// The builtin registry (core/builtins.def) against its backends. Every builtin has a row here: a
// probe (a call of it on case fields, so nothing folds away) and a law (a Bool property of it that
// holds for every case). For each entry of the registry:
// - the interpreter: the law holds on several cases;
// - the JIT (when built): the probe gives the interpreter's value on every case, and its machine
//   code calls the interpreter's operation exactly when the registry says kOperation;
// - Z3: with kExact or kPartial, the law is encoded without approximation and proven for every
//   case; with kHavoc, the encoding of the probe records an approximation naming the builtin.
// A builtin added to the registry without a row here fails `EveryBuiltinHasARow`; one whose
// backend does not do what the registry says fails its own test.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "core/builtins.h"
#include "runtime/analysis/encode.h"
#include "runtime/engine/engine.h"
#include "tests/support/engine_test_support.h"

namespace policy {

// Test names and failure messages show the builtin's name rather than the struct's bytes.
void PrintTo(const BuiltinInfo& b, std::ostream* os) {
  *os << b.name;
}

namespace {

struct Row {
  std::string probe_type;
  std::string probe;
  std::string law;
};

const std::map<Builtin, Row>& Rows() {
  static const std::map<Builtin, Row> rows = {
      {Builtin::kMin,
       {"Int", "min(c.i, c.j)",
        "min(c.i, c.j) <= c.i and min(c.i, c.j) <= c.j and (min(c.i, c.j) == c.i or min(c.i, c.j) == c.j)"}},
      {Builtin::kMax,
       {"Int", "max(c.i, c.j)",
        "max(c.i, c.j) >= c.i and max(c.i, c.j) >= c.j and (max(c.i, c.j) == c.i or max(c.i, c.j) == c.j)"}},
      {Builtin::kAbs, {"Int", "abs(c.i)", "abs(c.i) >= 0 and (abs(c.i) == c.i or abs(c.i) == 0 - c.i)"}},
      {Builtin::kLength, {"Int", "length(c.xs)", "length([c.i, c.j, c.i]) == 3"}},
      {Builtin::kYear, {"Int", "year(c.d)", "year(c.d) >= 1 and year(c.d) <= 9999"}},
      {Builtin::kMonth, {"Int", "month(c.d)", "month(c.d) >= 1 and month(c.d) <= 12"}},
      {Builtin::kDay, {"Int", "day_of_month(c.d)", "day_of_month(c.d) >= 1 and day_of_month(c.d) <= 31"}},
      {Builtin::kWeekday,
       {"Int", "weekday(c.d)",
        "weekday(c.d) >= 0 and weekday(c.d) <= 6 and weekday(c.d + 7 days) == weekday(c.d)"}},
      {Builtin::kDaysBetween,
       {"Int", "days_between(c.d, c.e)",
        "days_between(c.d, c.e) + days_between(c.e, c.d) == 0 and days_between(c.d, c.d + 3 days) == 3"}},
      {Builtin::kToDecimal,
       {"Decimal", "to_decimal(c.i)", "(to_decimal(c.i) > to_decimal(c.j)) == (c.i > c.j)"}},
      {Builtin::kAddWorkingDays,
       {"Date", "add_working_days(c.d, 2, c.hs, {})", "add_working_days(c.d, 2, c.hs, {}) > c.d"}},
      {Builtin::kWorkingDaysBetween,
       {"Int", "working_days_between(c.d, c.e, c.hs, {})", "working_days_between(c.d, c.d, c.hs, {}) == 0"}},
      {Builtin::kAddMonthsOverflow,
       {"Date", "add_months_overflow(c.d, 1)", "add_months_overflow(c.d, 1) > c.d"}},
      {Builtin::kDatesEvery,
       {"List<Date>", "dates_every(c.d, c.e, 1 week)", "length(dates_every(c.d, c.d + 6 days, 1 day)) == 7"}},
      {Builtin::kDistinct, {"Set<Int>", "distinct([c.i, c.j, c.i])", "length(distinct([c.k, c.k])) == 1"}},
      {Builtin::kToList, {"List<Int>", "to_list({c.j, c.i})", "length(to_list({c.k, c.k, red})) >= 1"}},
      {Builtin::kFlatten,
       {"List<Int>", "flatten([[c.i], [c.j, c.i]])", "length(flatten([[c.i], [c.j, c.i]])) == 3"}},
  };
  return rows;
}

// Cases chosen to cross the interesting edges: a negative number, month and year ends, a leap
// day, a holiday right after the date, a later and an earlier second date.
const char* const kCases[] = {
    R"({"i": 3, "j": -7, "x": 1.5, "d": "2024-02-29", "e": "2024-03-31", "k": "green",
        "xs": [1, 2, 3], "hs": ["2024-03-01"]})",
    R"({"i": -4, "j": 9, "x": -0.25, "d": "2025-12-31", "e": "2025-01-01", "k": "red",
        "xs": [], "hs": []})",
    R"({"i": 0, "j": 0, "x": 0, "d": "2023-01-31", "e": "2023-05-31", "k": "blue",
        "xs": [5, 5], "hs": ["2023-02-01", "2023-02-02"]})",
};

auto PolicyFor(const Row& row) -> std::string {
  return fmt::format(R"(module t

enum Colour {{ red, green, blue }}

record C {{
  i: Int
  j: Int
  x: Decimal
  d: Date
  e: Date
  k: Colour
  xs: List<Int>
  hs: Set<Date>
}}

decision probe(c: C) -> {}
  default {}

decision law(c: C) -> Bool
  default {}
)",
                     row.probe_type, row.probe, row.law);
}

auto Load(const std::string& policy, bool jit) -> std::shared_ptr<const Engine> {
  EngineOptions options = test::WithoutStdlib();
  options.jit = jit;
  return test::LoadPolicy(policy, options);
}

// Evaluates `decision` on `json` (on 2025-06-01); the value as JSON text, or the error.
auto Outcome(const Engine& e, const std::string& decision, const std::string& json, bool native)
    -> std::string {
  return test::OutcomeOnCase(e, *e.FindDecision("t." + decision), json, *Date::Parse("2025-06-01"), native);
}

class BuiltinRegistryTest : public testing::TestWithParam<BuiltinInfo> {};

TEST(BuiltinRegistry, EveryBuiltinHasARow) {
  for (const BuiltinInfo& b : AllBuiltins()) {
    EXPECT_TRUE(Rows().contains(b.id))
        << "builtin `" << b.name
        << "` has no row in tests/unit/core/builtins_test.cpp: add a probe and a law";
  }
  EXPECT_EQ(Rows().size(), AllBuiltins().size());
}

TEST(BuiltinRegistry, NamesAreUniqueAndFound) {
  for (const BuiltinInfo& b : AllBuiltins()) {
    const auto found = FindBuiltin(b.name);
    ASSERT_TRUE(found) << b.name;
    EXPECT_EQ(found->id, b.id) << b.name;
    EXPECT_EQ(&GetBuiltin(b.id), &b) << b.name;
  }
}

TEST_P(BuiltinRegistryTest, TheInterpreterSatisfiesTheLaw) {
  const BuiltinInfo& b = GetParam();
  ASSERT_TRUE(Rows().contains(b.id));
  const auto engine = Load(PolicyFor(Rows().at(b.id)), false);
  ASSERT_TRUE(engine);
  for (const char* json : kCases) {
    EXPECT_EQ(Outcome(*engine, "law", json, false), "true") << b.name << " on " << json;
  }
}

#ifdef POLICY_TEST_JIT
TEST_P(BuiltinRegistryTest, TheJitGivesTheInterpretersValueTheWayTheRegistrySays) {
  const BuiltinInfo& b = GetParam();
  ASSERT_TRUE(Rows().contains(b.id));
  const auto engine = Load(PolicyFor(Rows().at(b.id)), true);
  ASSERT_TRUE(engine);
  const uint32_t probe = *engine->FindDecision("t.probe");
  const NativeReport& report = engine->native_report();
  ASSERT_TRUE(report.native[probe]) << b.name << ": " << report.reasons[probe];
  if (b.jit == BuiltinJit::kNative) {
    EXPECT_EQ(report.operations[probe], 0U)
        << b.name << " is kNative in core/builtins.def, but its machine code "
        << "calls the interpreter's operation";
  } else {
    EXPECT_GT(report.operations[probe], 0U)
        << b.name << " is kOperation in core/builtins.def, but its machine "
        << "code does not call the interpreter's operation";
  }
  for (const char* json : kCases) {
    const std::string interpreted = Outcome(*engine, "probe", json, false);
    EXPECT_EQ(Outcome(*engine, "probe", json, true), interpreted) << b.name << " on " << json;
    EXPECT_EQ(Outcome(*engine, "law", json, true), "true") << b.name << " on " << json;
  }
}
#endif

TEST_P(BuiltinRegistryTest, Z3EncodesItTheWayTheRegistrySays) {
  const BuiltinInfo& b = GetParam();
  ASSERT_TRUE(Rows().contains(b.id));
  const auto engine = Load(PolicyFor(Rows().at(b.id)), false);
  ASSERT_TRUE(engine);
  const ir::Program& ir = engine->program().ir();
  if (b.smt == BuiltinSmt::kHavoc) {
    z3::context ctx;
    analysis::InputPool pool(ctx, std::nullopt);
    analysis::Encoder encoder(ir, pool);
    const analysis::DecisionSym* probe = encoder.Decision(*ir.FindDecision("t.probe"));
    ASSERT_NE(probe, nullptr);
    bool named = false;
    for (const std::string& why : probe->approximations) {
      named = named || why.find(fmt::format("`{}`", b.name)) != std::string::npos;
    }
    EXPECT_TRUE(named) << b.name
                       << " is kHavoc in core/builtins.def, but its encoding records no approximation";
    return;
  }
  const test::LawProof law = test::ProveLaw(ir, *ir.FindDecision("t.law"));
  ASSERT_TRUE(law.encoded);
  std::string reasons;
  for (const std::string& why : law.approximations) {
    reasons += why + "; ";
  }
  EXPECT_TRUE(law.approximations.empty()) << b.name << " should be encoded exactly: " << reasons;
  EXPECT_EQ(law.result, z3::unsat) << b.name << ": Z3 does not prove the law " << Rows().at(b.id).law;
}

INSTANTIATE_TEST_SUITE_P(EveryBuiltin, BuiltinRegistryTest,
                         testing::ValuesIn(AllBuiltins().begin(), AllBuiltins().end()),
                         [](const testing::TestParamInfo<BuiltinInfo>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace policy

// The LLVM backend against the interpreter (differential), and what the JIT promises around it:
// every bundled decision compiles, native code gives the interpreter's values on the example
// cases and thousands of mutations of them, the policies' own tests pass through native code,
// errors and budgets come out identical, and native code outlives a reload while it is used.
// Generated programs are compared in tests/unit/fuzz (CheckGeneratedProgram) and by
// fuzz_well_typed; the public API's side (LoadOptions::jit) in tests/unit/api/jit_api_test.cpp.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <sstream>

#include <unistd.h>

#include "runtime/engine/case_search.h"
#include "runtime/engine/engine.h"
#include "runtime/jit/jit.h"
#include "tests/support/engine_test_support.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

using test::Outcome;
using test::ReadFile;

auto LoadBundled(bool jit, JitTier tier = JitTier::kQuick) -> std::shared_ptr<const Engine> {
  EngineOptions options;
  options.jit = jit;
  options.jit_tier = tier;
  LoadResult r = Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"}, options);
  EXPECT_TRUE(r.engine) << RenderDiagnostics(r.diagnostics.Sorted(), *r.sources, DiagFormat::kShort);
  return r.engine;
}

// A test policy (without the standard library) loaded with the JIT; null, with the test failed,
// unless it compiles and every decision runs as machine code.
auto LoadNative(const std::string& policy, JitTier tier = JitTier::kQuick) -> std::shared_ptr<const Engine> {
  EngineOptions options = test::WithoutStdlib();
  options.jit = true;
  options.jit_tier = tier;
  auto engine = test::LoadPolicy(policy, options);
  if (!engine) {
    return nullptr;
  }
  for (size_t d = 0; d < engine->native_report().native.size(); ++d) {
    if (!engine->native_report().native[d]) {
      ADD_FAILURE() << engine->native_report().reasons[d];
      return nullptr;
    }
  }
  return engine;
}

// One case evaluated by the interpreter and by native code, each in a context of its own.
struct Both {
  std::string interpreter;
  std::string native;
  uint64_t native_bails = 0;
};

auto OnBoth(const Engine& e, uint32_t d, const std::string& case_json, Date as_of) -> Both {
  auto interp = e.NewContext();
  interp->set_native(false);
  auto native = e.NewContext();
  DiagnosticSink diags;
  const auto input = e.ReadCase(d, case_json, "case.json", *native, diags);
  if (!input) {
    ADD_FAILURE() << "cannot read the case";
    return {};
  }
  Both both;
  both.interpreter = Outcome(e, d, *input, as_of, *interp);
  both.native = Outcome(e, d, *input, as_of, *native);
  both.native_bails = native->native_bails();
  return both;
}

TEST(JitTest, EveryBundledDecisionCompiles) {
  const auto e = LoadBundled(true);
  ASSERT_TRUE(e);
  const NativeReport& r = e->native_report();
  ASSERT_TRUE(r.available);
  const auto& decisions = e->program().ir().decisions;
  for (size_t d = 0; d < decisions.size(); ++d) {
    EXPECT_TRUE(r.native[d]) << decisions[d].name << ": " << r.reasons[d];
  }
  EXPECT_EQ(r.native_count, decisions.size());
  EXPECT_GT(r.compile_ms, 0);
}

// Both code generators: the quick tier, and the optimised one (the whole O2 pipeline, inliner
// included), each against the interpreter.
class JitTierTest : public testing::TestWithParam<JitTier> {};

INSTANTIATE_TEST_SUITE_P(Tiers, JitTierTest, testing::Values(JitTier::kQuick, JitTier::kOptimized),
                         [](const testing::TestParamInfo<JitTier>& tier) {
                           return tier.param == JitTier::kQuick ? "Quick" : "Optimized";
                         });

TEST_P(JitTierTest, NativeValuesEqualTheInterpretersOnExamplesAndMutations) {
  const auto e = LoadBundled(true, GetParam());
  ASSERT_TRUE(e);
  const ir::Program& ir = e->program().ir();
  std::vector<nlohmann::json> examples;
  for (const auto& f : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
    if (f.path().extension() == ".json") {
      examples.push_back(nlohmann::json::parse(ReadFile(f.path())));
    }
  }
  ASSERT_FALSE(examples.empty());
  // Today, the day before and the day of an effective date in the policies, and a date before
  // any of them.
  const std::vector<Date> dates = {*Date::Parse("2025-09-01"), *Date::Parse("2014-03-16"),
                                   *Date::Parse("2014-03-17"), *Date::Parse("2000-01-01")};
  auto interp = e->NewContext();
  interp->set_native(false);
  auto native = e->NewContext();
  size_t compared = 0;
  for (uint32_t d = 0; d < ir.decisions.size(); ++d) {
    const ir::Decision& decision = ir.decisions[d];
    if (decision.params.size() != 1 || decision.name.rfind("std.", 0) == 0) {
      continue;
    }
    CaseMutator mutator(ir.types, dates[0], d + 1);
    std::vector<nlohmann::json> cases;
    for (const nlohmann::json& x : examples) {
      cases.push_back(x);
      for (int m = 0; m < 12; ++m) {
        nlohmann::json c = x;
        for (int k = 0; k <= m % 3; ++k) {
          mutator.Mutate(c, decision.params[0]);
        }
        cases.push_back(std::move(c));
      }
    }
    for (const nlohmann::json& c : cases) {
      DiagnosticSink diags;
      Arena arena;
      const auto input = e->ReadCase(d, c.dump(), "case.json", arena, diags);
      if (!input) {
        continue;  // another policy's case record
      }
      for (const Date as_of : dates) {
        const std::string expected = Outcome(*e, d, *input, as_of, *interp);
        const std::string actual = Outcome(*e, d, *input, as_of, *native);
        ASSERT_EQ(actual, expected) << decision.name << " as of " << as_of.ToString() << " on " << c.dump();
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 5000u);
  EXPECT_GT(native->native_answers(), compared / 2) << "native code answered too rarely to mean anything";
  EXPECT_EQ(interp->native_answers(), 0u);
}

TEST_P(JitTierTest, ThePoliciesOwnTestsPassThroughNativeCode) {
  const auto e = LoadBundled(true, GetParam());
  ASSERT_TRUE(e);
  const Date today = *Date::Parse("2025-09-01");
  const auto& tests = e->program().ir().tests;
  ASSERT_FALSE(tests.empty());
  auto native = e->NewContext();
  auto interp = e->NewContext();
  interp->set_native(false);
  for (uint32_t t = 0; t < tests.size(); ++t) {
    vm::EvalError native_error;
    vm::EvalError interp_error;
    const auto n = e->program().RunTest(*native, t, today, &native_error);
    const auto i = e->program().RunTest(*interp, t, today, &interp_error);
    ASSERT_EQ(n.has_value(), i.has_value()) << tests[t].name;
    if (n) {
      EXPECT_TRUE(n->passed) << tests[t].module << ": " << tests[t].name << " (step " << n->step << ")";
      EXPECT_EQ(n->passed, i->passed) << tests[t].name;
      EXPECT_EQ(n->actual, i->actual) << tests[t].name;
    } else {
      EXPECT_EQ(native_error.message, interp_error.message) << tests[t].name;
    }
  }
  // The decisions the tests call ran as machine code.
  EXPECT_GT(native->native_answers(), tests.size());
}

// JitTier::kTiered: the quick code answers at once, the optimised code replaces it, and the
// answers stay the interpreter's throughout.
TEST(JitTest, TheOptimizedCodeReplacesTheQuickCode) {
  const auto e = LoadBundled(true, JitTier::kTiered);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->native_report().tier, JitTier::kTiered);
  const uint32_t d = *e->FindDecision("hk.stay.limit_of_stay");
  const std::string json = ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_exchange_student.json");
  const Date as_of = *Date::Parse("2025-09-01");
  const Both before = OnBoth(*e, d, json, as_of);
  EXPECT_EQ(before.native, before.interpreter);
  const vm::OptimizedCode optimized = e->WaitForOptimizedCode();
  EXPECT_TRUE(optimized.installed) << optimized.failure;
  EXPECT_GT(optimized.ms, 0);
  // Every compiled decision's entry was replaced by its optimised code.
  EXPECT_EQ(optimized.decisions, e->native_report().native_count);
  EXPECT_EQ(optimized.decisions, e->program().ir().decisions.size());
  const Both after = OnBoth(*e, d, json, as_of);
  EXPECT_EQ(after.native, before.interpreter);
  // Waiting again returns the same status at once.
  EXPECT_EQ(e->WaitForOptimizedCode().ms, optimized.ms);
  // The other tiers report at once: kQuick has no optimised code, kOptimized is nothing else.
  EXPECT_FALSE(LoadBundled(true, JitTier::kQuick)->WaitForOptimizedCode().installed);
  const vm::OptimizedCode only = LoadBundled(true, JitTier::kOptimized)->WaitForOptimizedCode();
  EXPECT_TRUE(only.installed);
  EXPECT_EQ(only.decisions, e->native_report().native_count);
  EXPECT_FALSE(LoadBundled(false)->WaitForOptimizedCode().installed);
}

// Unloading while the background compile runs: the compile stops at its next step, and its
// thread is joined before the code and the operations it would call are freed.
TEST(JitTest, UnloadingDuringTheBackgroundCompileIsSafe) {
  for (int i = 0; i < 3; ++i) {
    auto e = LoadBundled(true, JitTier::kTiered);
    ASSERT_TRUE(e);
    e.reset();
  }
  const auto e = LoadBundled(true, JitTier::kTiered);
  const uint32_t d = *e->FindDecision("hk.employment.part_time_on_campus_allowed");
  const std::string json =
      ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  const Both both = OnBoth(*e, d, json, *Date::Parse("2025-09-01"));
  EXPECT_EQ(both.native, both.interpreter);
}

// POLICY_JIT_PERF_MAP: /tmp/perf-<pid>.map names each decision's machine code where it lies,
// so `perf report` shows decision names. Every entry point must be the start of its line.
TEST(JitTest, ThePerfMapNamesEveryDecisionAtItsEntry) {
  const fs::path map = fs::path("/tmp") / fmt::format("perf-{}.map", ::getpid());
  fs::remove(map);
  ::setenv("POLICY_JIT_PERF_MAP", "1", 1);
  const auto e = LoadBundled(true, JitTier::kQuick);
  ::unsetenv("POLICY_JIT_PERF_MAP");
  ASSERT_TRUE(e);
  std::map<std::string, std::pair<uintptr_t, uintptr_t>> functions;  // name -> start, size
  std::istringstream lines(ReadFile(map));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    uintptr_t start = 0;
    uintptr_t size = 0;
    fields >> std::hex >> start >> size;
    std::string name;
    std::getline(fields >> std::ws, name);
    functions[name] = {start, size};
  }
  fs::remove(map);
  const auto& decisions = e->program().ir().decisions;
  for (uint32_t d = 0; d < decisions.size(); ++d) {
    const auto it = functions.find("decision " + decisions[d].name);
    ASSERT_NE(it, functions.end()) << decisions[d].name << " is not in " << map;
    EXPECT_EQ(it->second.first, reinterpret_cast<uintptr_t>(e->program().NativeEntryOf(d)))
        << decisions[d].name;
    EXPECT_GT(it->second.second, 0U) << decisions[d].name;
  }
  // Without the variable, nothing is written.
  ASSERT_TRUE(LoadBundled(true, JitTier::kQuick));
  EXPECT_FALSE(fs::exists(map));
}

// Errors are the interpreter's: native code gives up, and the interpreter reports.
TEST(JitTest, ErrorsAndBudgetsAreTheInterpreters) {
  const std::string policy = R"(module t

record Case {
  n: Int
  xs: List<Int>
}

decision conflict(c: Case) -> Int
  rule a
    when c.n > 0
    then 1
  rule b
    when c.n > 1
    then 2

decision overflow(c: Case) -> Int
  default 0
  rule big
    when c.n > 0
    then c.n * 9223372036854775807

decision needs_conflict(c: Case) -> Int
  default conflict(c) + 1

decision slow(c: Case) -> Int
  default count a in c.xs: (count b in c.xs: (count x in c.xs: x > a + b) > 0) > 0
)";
  const auto engine = LoadNative(policy);
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  std::string xs = "[";
  for (int i = 0; i < 500; ++i) {
    xs += fmt::format("{}{}", i == 0 ? "" : ",", i);
  }
  xs += "]";
  const Date as_of = *Date::Parse("2025-09-01");
  for (const char* name : {"t.conflict", "t.overflow", "t.needs_conflict", "t.slow"}) {
    const uint32_t d = *e.FindDecision(name);
    for (const std::string& c : {std::string(R"({"n": 2, "xs": [1]})"), std::string(R"({"n": 0, "xs": [1]})"),
                                 R"({"n": 2, "xs": )" + xs + "}"}) {
      const Both both = OnBoth(e, d, c, as_of);
      EXPECT_EQ(both.native, both.interpreter) << name << " on " << c.substr(0, 40);
      if (both.interpreter.rfind("error", 0) == 0) {
        EXPECT_GE(both.native_bails, 1u) << name;  // and again for callees the interpreter re-runs
      }
    }
  }
}

// A decision too large for LLVM to compile quickly (10,000 rules, which took over 20 s) runs on
// the interpreter, with the reason in the report, and loading stays bounded; its caller does
// too, and both give the interpreter's answers. The decision just under the limit is compiled.
TEST(JitTest, ADecisionPastTheSizeLimitRunsOnTheInterpreter) {
  std::string policy = "module t\nrecord Case { x: Int }\ndecision huge(c: Case) -> Int\n  default 0\n";
  for (int i = 0; i < 10000; ++i) {
    policy += fmt::format("  rule r{0} when c.x == {0} then {0}\n", i);
  }
  policy += "decision calls_huge(c: Case) -> Int\n  default huge(c) + 1\n";
  policy += "decision small(c: Case) -> Int\n  default 0\n";
  for (size_t i = 0; i < jit::kMaxNativeRules; ++i) {
    policy += fmt::format("  rule s{0} when c.x == {0} then {0}\n", i);
  }
  EngineOptions options = test::WithoutStdlib();
  options.jit = true;
  const auto engine = test::LoadPolicy(policy, options);
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  const NativeReport& report = e.native_report();
  const uint32_t huge = *e.FindDecision("t.huge");
  const uint32_t calls_huge = *e.FindDecision("t.calls_huge");
  const uint32_t small = *e.FindDecision("t.small");
  EXPECT_FALSE(report.native[huge]);
  EXPECT_NE(report.reasons[huge].find("too large to compile quickly (10000 rules"), std::string::npos)
      << report.reasons[huge];
  EXPECT_FALSE(report.native[calls_huge]);
  EXPECT_TRUE(report.native[small]) << report.reasons[small];
  const Date as_of = *Date::Parse("2025-09-01");
  for (const int x : {0, 1, 499, 500, 9999, 10000}) {
    const std::string c = fmt::format(R"({{"x": {}}})", x);
    for (const uint32_t d : {huge, calls_huge, small}) {
      const Both both = OnBoth(e, d, c, as_of);
      EXPECT_EQ(both.native, both.interpreter) << x;
    }
    EXPECT_EQ(OnBoth(e, huge, c, as_of).interpreter, std::to_string(x == 10000 ? 0 : x));
  }
}

// A decision called again on the same parameters is not run again by native code: the first
// call's answer is kept, and its steps are charged again, so the step budget is reached exactly
// where the interpreter (which evaluates every call) reaches it. `heavy` takes about 36 million
// steps: two calls fit the budget of 100 million, three do not.
TEST(JitTest, ARepeatedDecisionCallCostsTheSameSteps) {
  const std::string policy = R"(module t

record Case {
  xs: List<Int>
}

decision heavy(c: Case) -> Int
  default count a in c.xs: (count b in c.xs: b > a) > 0

decision twice(c: Case) -> Int
  default heavy(c) + heavy(c)

decision thrice(c: Case) -> Int
  default heavy(c) + heavy(c) + heavy(c)
)";
  const auto engine = LoadNative(policy);
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  std::string xs = R"({"xs": [)";
  for (int i = 0; i < 6000; ++i) {
    xs += fmt::format("{}{}", i == 0 ? "" : ",", i);
  }
  xs += "]}";
  const Date as_of = *Date::Parse("2025-09-01");
  for (const char* name : {"t.twice", "t.thrice"}) {
    const uint32_t d = *e.FindDecision(name);
    const Both both = OnBoth(e, d, xs, as_of);
    EXPECT_EQ(both.native, both.interpreter) << name;
    if (std::string(name) == "t.twice") {
      EXPECT_EQ(both.interpreter, "11998");
      EXPECT_EQ(both.native_bails, 0u);
    } else {
      EXPECT_EQ(both.interpreter.rfind("error", 0), 0u) << both.interpreter;
      EXPECT_GE(both.native_bails, 1u);
    }
  }
}

// Native code counts a function's steps from zero, so that the count folds away in code without
// loops; what came before the call is in NativeState::base. A callee's loops must still count
// the caller's steps: here each half fits the budget alone, and only both together do not
// (n = 7,500: 56 million steps each; n = 6,000: 36 million each).
TEST(JitTest, ACalleeCountsTheStepsItsCallerTookBeforeIt) {
  const std::string policy = R"(module t

record Case {
  xs: List<Int>
}

decision heavy(c: Case) -> Int
  default count a in c.xs: (count b in c.xs: b > a) > 0

decision after_own(c: Case) -> Int
  default (count a in c.xs: (count b in c.xs: b < a) > 0) + heavy(c)
)";
  const auto engine = LoadNative(policy, JitTier::kOptimized);
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  const auto xs = [](int n) {
    std::string json = R"({"xs": [)";
    for (int i = 0; i < n; ++i) {
      json += fmt::format("{}{}", i == 0 ? "" : ",", i);
    }
    return json + "]}";
  };
  const Date as_of = *Date::Parse("2025-09-01");
  const uint32_t d = *e.FindDecision("t.after_own");
  const Both fits = OnBoth(e, d, xs(6000), as_of);
  EXPECT_EQ(fits.interpreter, "11998");
  EXPECT_EQ(fits.native, fits.interpreter);
  EXPECT_EQ(fits.native_bails, 0u);
  const Both over = OnBoth(e, d, xs(7500), as_of);
  EXPECT_EQ(over.interpreter.rfind("error", 0), 0u) << over.interpreter;
  EXPECT_EQ(over.native, over.interpreter);
  EXPECT_GE(over.native_bails, 1u);
}

// The case record of the calendar tests below: a date and a month count.
constexpr const char* kDateCase = R"(module t

record Case {
  d: Date
  n: Int
}
)";

// Month sums go through a small per-call cache in native code (four entries, the oldest
// replaced). Sums repeated after their entry was replaced, month ends, and a sum out of range
// must all come out as the interpreter computes them.
TEST_P(JitTierTest, RepeatedMonthSumsAreTheInterpreters) {
  const std::string policy = std::string(kDateCase) + R"(
decision sums(c: Case) -> List<Date>
  default [c.d + 1 months, c.d + 2 months, c.d + 3 months, c.d + 4 months, c.d + 5 months,
           c.d + 1 months, c.d + c.n months, c.d + 2 months, c.d + 1 years, c.d - 1 months,
           c.d + c.n months]

decision last(c: Case) -> Date
  default max(max(c.d + c.n months, c.d + 1 months), c.d + c.n months)
)";
  const auto engine = LoadNative(policy, GetParam());
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  const Date as_of = *Date::Parse("2025-09-01");
  for (const char* name : {"t.sums", "t.last"}) {
    const uint32_t d = *e.FindDecision(name);
    for (const char* c : {R"({"d": "2024-01-31", "n": 1})", R"({"d": "2023-12-31", "n": 14})",
                          R"({"d": "2024-02-29", "n": -12})", R"({"d": "9999-11-30", "n": 0})",
                          R"({"d": "2020-05-15", "n": 99999999})"}) {
      const Both both = OnBoth(e, d, c, as_of);
      EXPECT_EQ(both.native, both.interpreter) << name << " on " << c;
    }
  }
}

// Comparisons the JIT lowers for what their operands are (FunctionLowering::DecimalCompare on
// 128-bit coefficients, EmitIn): a decimal against constants on either side, written `1` or `1.0`,
// negative, for values at the 18th place and the largest decimal; an enum against a constant
// set, optional or not (none is in no set, though its payload reads as the first member's
// ordinal).
TEST_P(JitTierTest, ComparisonsWithConstantsAreTheInterpreters) {
  const std::string policy = R"(module t

enum Size { xs, s, m, l, xl }

record Case {
  x: Decimal
  size: Size
  maybe: Size?
}

decision decimals(c: Case) -> List<Bool>
  default [c.x >= 1, c.x < 1.0, 2 > c.x, c.x == -3, c.x != 0, c.x <= -9, 9 <= c.x, c.x > 0.5,
           c.x >= 10, c.x < -10, -2.00 >= c.x, c.x == 1.50, c.x > 0]

decision sizes(c: Case) -> List<Bool>
  default [c.size in {s, m}, c.size not in {xs}, c.maybe in {l, xl}, c.maybe not in {l},
           c.maybe in {xs, l}, c.maybe not in {xs}]
)";
  const auto engine = LoadNative(policy, GetParam());
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  const Date as_of = *Date::Parse("2025-09-01");
  const uint32_t decimals = *e.FindDecision("t.decimals");
  const uint32_t sizes = *e.FindDecision("t.sizes");
  size_t compared = 0;
  for (const char* x :
       {"0", "1", "1.0", "0.999999999999999999", "1.000000000000000001", "-3", "-3.00", "-9", "9.000", "9.5",
        "10", "-10.0", "-2", "1.5", "0.5", "99999999999999999.999999999999999999", "-9.223372036854775807"}) {
    for (const char* size : {"xs", "m", "xl"}) {
      for (const char* maybe : {"null", "\"l\"", "\"s\""}) {
        const std::string c = fmt::format(R"({{"x": {}, "size": "{}", "maybe": {}}})", x, size, maybe);
        for (const uint32_t d : {decimals, sizes}) {
          const Both both = OnBoth(e, d, c, as_of);
          EXPECT_EQ(both.native, both.interpreter) << c;
          EXPECT_EQ(both.native_bails, 0u) << c;
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 17u * 3 * 3 * 2);
}

// Percent literals (`20%` is the Decimal 0.20) on a case, by the interpreter and native code.
TEST_P(JitTierTest, PercentagesAreTheInterpreters) {
  const std::string policy = R"(module t

record C {
  price: Decimal
  n: Int
}

decision d(c: C) -> Decimal default c.price * 20%

decision parts(c: C) -> List<Decimal>
  default [c.price * 12.5%, c.price * 0.5%, c.price * 100%, c.price - c.price * 20%, c.price % 20%]

decision remainders(c: C) -> List<Int>
  default [c.n % 7, 20%7, 20 % c.n]
)";
  const auto engine = LoadNative(policy, GetParam());
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  const Date as_of = *Date::Parse("2025-09-01");
  const std::pair<const char*, const char*> expected[] = {
      {"t.d", "0.2"},
      {"t.parts", "[0.125,0.005,1,0.8,0]"},
      {"t.remainders", "[1,6,0]"},
  };
  for (const auto& [name, value] : expected) {
    const Both both = OnBoth(e, *e.FindDecision(name), R"({"price": 1, "n": 1})", as_of);
    EXPECT_EQ(both.interpreter, value) << name;
    EXPECT_EQ(both.native, both.interpreter) << name;
  }
  for (const char* c :
       {R"({"price": 50, "n": 9})", R"({"price": 12.34, "n": -3})", R"({"price": -0.01, "n": 20})"}) {
    for (const char* name : {"t.d", "t.parts", "t.remainders"}) {
      const Both both = OnBoth(e, *e.FindDecision(name), c, as_of);
      EXPECT_EQ(both.native, both.interpreter) << name << " on " << c;
    }
  }
  EXPECT_EQ(OnBoth(e, *e.FindDecision("t.d"), R"({"price": 50, "n": 0})", as_of).interpreter, "10");
}

// The calendar arithmetic of native code against the interpreter's, across the whole supported
// range, on both tiers (the optimised one computes a date's fields inline, in the computational
// calendar; runtime/jit FunctionLowering::Civil): the civil fields of every 101st day of years 1
// to 9999, and month sums from every other one of those days, with counts up to and past the
// 10,000 years Date::AddMonths accepts, out-of-range results included (both sides must report
// the same error).
TEST_P(JitTierTest, CalendarArithmeticIsTheInterpretersOverTheWholeRange) {
  const std::string policy = std::string(kDateCase) + R"(
decision fields(c: Case) -> List<Int>
  default [year(c.d), month(c.d), day_of_month(c.d)]

decision shifted(c: Case) -> Date
  default c.d + c.n months
)";
  const auto engine = LoadNative(policy, GetParam());
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  const Date as_of = *Date::Parse("2025-09-01");
  const uint32_t fields = *e.FindDecision("t.fields");
  const uint32_t shifted = *e.FindDecision("t.shifted");
  const int64_t first = Date::Parse("0001-01-01")->days();
  const int64_t last = Date::Parse("9999-12-31")->days();
  const int64_t counts[] = {-120001, -119999, -1200, -13, -1, 0, 1, 11, 12, 25, 1200, 119999, 120001};
  size_t compared = 0;
  size_t errors = 0;
  for (int64_t day = first, k = 0; day <= last; day += 101, ++k) {
    const std::string date = Date::FromDays(static_cast<int32_t>(day)).ToString();
    const Both f = OnBoth(e, fields, fmt::format(R"({{"d": "{}", "n": 0}})", date), as_of);
    ASSERT_EQ(f.native, f.interpreter) << date;
    ASSERT_EQ(f.native_bails, 0u) << date;
    if (k % 2 == 0) {
      const int64_t n = counts[(k / 2) % std::size(counts)];
      const Both s = OnBoth(e, shifted, fmt::format(R"({{"d": "{}", "n": {}}})", date, n), as_of);
      ASSERT_EQ(s.native, s.interpreter) << date << " + " << n << " months";
      errors += s.interpreter.rfind("error", 0) == 0 ? 1 : 0;
    }
    ++compared;
  }
  EXPECT_GT(compared, 36000u);
  EXPECT_GT(errors, 100u);  // out-of-range sums were among them
}

// `e as of d` (a transitional provision keyed on a date of the case): native code sets the date
// its callees read and puts it back, calls the same decision on both dates without mixing up
// their answers (no memo under `as of`), and gives up to the interpreter with the caller's date
// when a callee is not in effect on the case's date. Cases straddle the transition (2018-01-11)
// and the parameter's change (2020-04-06), on both tiers.
TEST_P(JitTierTest, AsOfACaseDateIsTheInterpreters) {
  const std::string policy = R"(module t

record Case {
  granted_on: Date
  applied_on: Date
  consecutive: Int
  any_12_months: Int
}

decision days_absent(c: Case) -> Int
  rule consecutive_periods
    effective from 2000-01-01 until 2018-01-10
    then c.consecutive
  rule any_period
    effective from 2018-01-11
    then c.any_12_months

parameter limit: Int
  value 180 effective until 2020-04-05
  value 184 effective from 2020-04-06

def year_of_law() -> Int = year(as_of)

decision continuous(c: Case) -> Bool
  default false
  rule within
    when days_absent(c) as of c.granted_on <= limit as of c.applied_on
    then true

decision both_dates(c: Case) -> List<Int>
  default [days_absent(c), days_absent(c) as of c.granted_on, days_absent(c), limit, limit as of c.applied_on,
           year_of_law() as of c.granted_on, year_of_law(), (year_of_law() as of 2001-02-03) as of c.granted_on,
           year(as_of as of c.applied_on + 1 days)]
)";
  const auto engine = LoadNative(policy, GetParam());
  ASSERT_TRUE(engine);
  const Engine& e = *engine;
  const Date as_of = *Date::Parse("2025-09-01");
  size_t native_answers = 0;
  for (const char* granted : {"1999-12-31", "2000-01-01", "2018-01-10", "2018-01-11", "2024-02-29"}) {
    for (const char* applied : {"2020-04-05", "2020-04-06"}) {
      for (const auto& [consecutive, any] : {std::pair{150, 200}, std::pair{182, 120}, std::pair{181, 184}}) {
        const std::string c = fmt::format(
            R"({{"granted_on": "{}", "applied_on": "{}", "consecutive": {}, "any_12_months": {}}})", granted,
            applied, consecutive, any);
        for (const char* name : {"t.continuous", "t.both_dates"}) {
          const Both both = OnBoth(e, *e.FindDecision(name), c, as_of);
          EXPECT_EQ(both.native, both.interpreter) << name << " on " << c;
          native_answers += both.native_bails == 0 ? 1 : 0;
        }
      }
    }
  }
  EXPECT_GT(native_answers, 0u);
  const std::string before =
      R"({"granted_on": "2017-05-02", "applied_on": "2020-04-06", "consecutive": 150, "any_12_months": 200})";
  EXPECT_EQ(OnBoth(e, *e.FindDecision("t.continuous"), before, as_of).interpreter, "true");
  EXPECT_EQ(OnBoth(e, *e.FindDecision("t.both_dates"), before, as_of).native,
            "[200,150,200,184,184,2017,2025,2001,2020]");
  // Leave granted before the law began: the callee is not in effect on that date, native code
  // hands the case back, and the interpreter's error names the case's date.
  const Both early = OnBoth(
      e, *e.FindDecision("t.continuous"),
      R"({"granted_on": "1999-12-31", "applied_on": "2020-04-06", "consecutive": 1, "any_12_months": 1})",
      as_of);
  EXPECT_NE(early.interpreter.find("not in effect on 1999-12-31"), std::string::npos) << early.interpreter;
  EXPECT_GE(early.native_bails, 1u);
}

}  // namespace
}  // namespace policy

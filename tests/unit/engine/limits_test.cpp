// Every documented limit (docs/reliability.md, "Limits"), each tested at the limit (accepted, and
// the stages after it still work) and one past it (a clear error, no crash). The same file runs
// under ASan+UBSan in CI, where stack frames are several times larger: a limit that is safe there
// is safe in a release build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compiler/check/check.h"
#include "runtime/engine/engine.h"

namespace policy {
namespace {

// Loads one in-memory module; returns the codes of its diagnostics ("E0103 ...").
struct Loaded {
  LoadResult result;
  auto codes() const -> std::vector<std::string> {
    std::vector<std::string> out;
    for (const Diagnostic& d : result.diagnostics.diagnostics()) {
      out.push_back(GetKindInfo(d.code).code);
    }
    return out;
  }
  auto ok() const -> bool { return result.engine != nullptr; }
  auto has(const char* code) const -> bool {
    const auto c = codes();
    return std::find(c.begin(), c.end(), code) != c.end();
  }
};

auto Load(const std::string& text) -> Loaded {
  return Loaded{Engine::LoadSources({{"limits.policy", text}})};
}

auto RunTests(const Loaded& l) -> std::vector<TestResult> {
  return l.result.engine->RunTests("", *Date::FromCivil(2025, 1, 1));
}

// ---- policy source -------------------------------------------------------------------------

TEST(LimitsTest, SourceSizeAtAndPastTheLimit) {
  const size_t limit = syntax::ParseLimits{}.max_source_bytes;
  std::string text = "module m\nconst a: Int = 1\n// ";
  text += std::string(limit - text.size() - 1, 'x') + "\n";
  ASSERT_EQ(text.size(), limit);
  EXPECT_TRUE(Load(text).ok());
  text.insert(text.size() - 1, "x");
  const Loaded over = Load(text);
  EXPECT_FALSE(over.ok());
  EXPECT_EQ(over.codes(), std::vector<std::string>{"E0107"});
}

TEST(LimitsTest, OversizedFilesAreNotReadIntoMemory) {
  const auto path = std::filesystem::temp_directory_path() / "policy_limits_big.policy";
  {
    std::ofstream out(path, std::ios::binary);
    out << "module m\n";
    out.seekp(static_cast<std::streamoff>(64) << 20);  // a sparse 64 MiB file
    out << "\n";
  }
  const LoadResult r = Engine::Load({path.string()});
  std::filesystem::remove(path);
  ASSERT_EQ(r.engine, nullptr);
  ASSERT_EQ(r.diagnostics.diagnostics().size(), 1U);
  EXPECT_EQ(r.diagnostics.diagnostics()[0].code, DiagCode::kFileTooLarge);
  EXPECT_NE(r.diagnostics.diagnostics()[0].message.find("67108865 bytes"), std::string::npos)
      << r.diagnostics.diagnostics()[0].message;
}

TEST(LimitsTest, GenericTypesNestLikeBrackets) {
  const int limit = syntax::ParseLimits{}.max_nesting;
  auto text = [](int n) {
    std::string t = "module m\ntype T = ";
    for (int i = 0; i < n; ++i) {
      t += "List<";
    }
    t += "Int" + std::string(static_cast<size_t>(n), '>') + "\n";
    return t;
  };
  EXPECT_TRUE(Load(text(limit)).ok());
  const Loaded over = Load(text(limit + 1));
  EXPECT_EQ(over.codes(), std::vector<std::string>{"E0103"});
  EXPECT_EQ(Load(text(50000)).codes(), std::vector<std::string>{"E0103"});
}

// A chain of binary operators parses in a loop but nests in the tree; past the tree-depth limit
// it is E0103. At the boundary the program still checks, lowers and evaluates.
TEST(LimitsTest, OperatorChainsAtAndPastTheLimit) {
  auto text = [](int n) {
    std::string t = "module m\nconst total: Int = 1";
    for (int i = 1; i < n; ++i) {
      t += " + 1";
    }
    return t + "\ntest \"sum\" {\n  expect total == " + std::to_string(n) + "\n}\n";
  };
  // 997 terms are the longest chain within max_tree_depth = 1000: the file, the declaration and
  // the expression around the chain take the other levels.
  ASSERT_EQ(syntax::ParseLimits{}.max_tree_depth, 1000);
  const int longest = 997;
  const Loaded at = Load(text(longest));
  const auto results = RunTests(at);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].passed);
  EXPECT_EQ(Load(text(longest + 1)).codes(), std::vector<std::string>{"E0103"});
  // Far past the limit: an error, not a stack overflow.
  EXPECT_EQ(Load(text(200000)).codes(), std::vector<std::string>{"E0103"});
}

TEST(LimitsTest, PostfixChainsPastTheLimit) {
  std::string text = "module m\nconst d: Duration = 1";
  for (int i = 0; i < 100000; ++i) {
    text += " days";
  }
  EXPECT_EQ(Load(text + "\n").codes(), std::vector<std::string>{"E0103"});
}

// Each function calls the one below it: the evaluation depth grows with the chain, and past
// check::kMaxEvaluationDepth the program is rejected when loaded (E0108). At the boundary the
// deepest function still evaluates, so the limit is below what the evaluator's stack can take.
TEST(LimitsTest, CallChainsAtAndPastTheEvaluationDepthLimit) {
  auto text = [](int n, bool with_test) {
    std::string t = "module m\ndef f0(x: Int) -> Int = x\n";
    for (int i = 1; i <= n; ++i) {
      t += "def f" + std::to_string(i) + "(x: Int) -> Int = f" + std::to_string(i - 1) + "(x) + 1\n";
    }
    if (with_test) {
      t += "test \"deep\" {\n  expect f" + std::to_string(n) + "(1) == " + std::to_string(n + 1) + "\n}\n";
    }
    return t;
  };
  // f0 nests 1 level (`x`) and each fi adds 2 (the `+` and the call), so f4999 nests 9,999
  // levels and f5000 would nest 10,001.
  static_assert(check::kMaxEvaluationDepth == 10000);
  const int longest = 4999;
  const Loaded at = Load(text(longest, true));
  ASSERT_TRUE(at.ok());
  const auto results = RunTests(at);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].passed);
  const Loaded over = Load(text(longest + 1, false));
  EXPECT_EQ(over.codes(), std::vector<std::string>{"E0108"}) << "reported once, at the first function over";
  // A chain far longer than the limit is rejected without recursing through it.
  EXPECT_TRUE(Load(text(30000, false)).has("E0108"));
}

// ---- case files ----------------------------------------------------------------------------

constexpr const char* kListPolicy = R"(module m

record Case {
  xs: List<Int>
  ys: List<Int>
  nested: List<List<Int>>
}

decision count_xs(c: Case) -> Int
  rule r then length(c.xs)

decision pairs(c: Case) -> Int
  rule r then sum a in c.xs: count b in c.xs: a <= b

decision doubled(c: Case) -> Int
  rule r then length(c.xs + c.ys)

decision built(c: Case) -> Int
  rule r then sum a in c.xs: length(c.ys + c.ys)
)";

class CaseLimitsTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    loaded_ = new LoadResult(Engine::LoadSources({{"m.policy", kListPolicy}}));
    ASSERT_NE(loaded_->engine, nullptr)
        << RenderDiagnostics(loaded_->diagnostics.Sorted(), *loaded_->sources, DiagFormat::kShort);
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  static auto Ints(size_t n, int64_t value = 0) -> std::string {
    std::string s = "[";
    for (size_t i = 0; i < n; ++i) {
      s += (i == 0 ? "" : ",") + std::to_string(value == -1 ? static_cast<int64_t>(i) : value);
    }
    return s + "]";
  }
  static auto Case(const std::string& xs, const std::string& ys = "[]", const std::string& nested = "[]")
      -> std::string {
    return R"({"xs": )" + xs + R"(, "ys": )" + ys + R"(, "nested": )" + nested + "}";
  }
  struct Outcome {
    std::vector<std::string> codes;
    std::optional<int64_t> value;
  };
  static auto Run(const std::string& decision, const std::string& json) -> Outcome {
    const Engine& e = *loaded_->engine;
    auto ctx = e.NewContext();
    DiagnosticSink diags;
    Outcome out;
    const auto d = e.FindDecision("m." + decision);
    EXPECT_TRUE(d.has_value());
    if (const auto input = e.ReadCase(*d, json, "case.json", *ctx, diags)) {
      if (const auto r = e.Evaluate(*d, *input, *Date::FromCivil(2025, 1, 1), *ctx, nullptr, diags)) {
        out.value = r->value.as_int();
      }
    }
    for (const Diagnostic& diag : diags.diagnostics()) {
      out.codes.push_back(GetKindInfo(diag.code).code);
    }
    return out;
  }
  static LoadResult* loaded_;
};

LoadResult* CaseLimitsTest::loaded_ = nullptr;

TEST_F(CaseLimitsTest, CaseSizeAtAndPastTheLimit) {
  const size_t limit = InputLimits{}.max_bytes;
  std::string json = Case("[1,2,3]");
  json += std::string(limit - json.size(), ' ');
  ASSERT_EQ(json.size(), limit);
  EXPECT_EQ(Run("count_xs", json).value, 3);
  json += " ";
  EXPECT_EQ(Run("count_xs", json).codes, std::vector<std::string>{"E0907"});
}

TEST_F(CaseLimitsTest, CaseDepthAtAndPastTheLimit) {
  const int limit = InputLimits{}.max_depth;
  // The record is level 1, `nested` level 2, each inner array one more.
  auto nested = [](int levels) {
    return std::string(static_cast<size_t>(levels), '[') + std::string(static_cast<size_t>(levels), ']');
  };
  const Outcome at = Run("count_xs", Case("[]", "[]", nested(limit - 1)));
  EXPECT_EQ(std::count(at.codes.begin(), at.codes.end(), "E0907"), 0);
  EXPECT_EQ(Run("count_xs", Case("[]", "[]", nested(limit))).codes, std::vector<std::string>{"E0907"});
  EXPECT_EQ(Run("count_xs", std::string(100000, '[') + std::string(100000, ']')).codes,
            std::vector<std::string>{"E0907"});
}

TEST_F(CaseLimitsTest, ListLengthAtAndPastTheLimit) {
  const size_t limit = InputLimits{}.max_list_items;
  EXPECT_EQ(Run("count_xs", Case(Ints(limit))).value, static_cast<int64_t>(limit));
  EXPECT_EQ(Run("count_xs", Case(Ints(limit + 1))).codes, std::vector<std::string>{"E0907"});
}

// ---- evaluation ----------------------------------------------------------------------------

// `sum a in xs: count b in xs: ...` visits n + n*n items: 9,999 items stay within
// vm::kMaxEvaluationSteps (99,990,000 steps), 10,000 do not (100,010,000).
TEST_F(CaseLimitsTest, EvaluationStepsAtAndPastTheLimit) {
  static_assert(vm::kMaxEvaluationSteps == 100'000'000);
  EXPECT_EQ(Run("pairs", Case(Ints(9999, -1))).value, int64_t{9999} * 10000 / 2);
  EXPECT_EQ(Run("pairs", Case(Ints(10000, -1))).codes, std::vector<std::string>{"E0917"});
}

TEST_F(CaseLimitsTest, ConcatenationAtAndPastTheItemLimit) {
  const size_t half = vm::kMaxGeneratedItems / 2;
  EXPECT_EQ(Run("doubled", Case(Ints(half), Ints(half))).value, static_cast<int64_t>(2 * half));
  EXPECT_EQ(Run("doubled", Case(Ints(half), Ints(half + 1))).codes, std::vector<std::string>{"E0916"});
}

// Each item of xs builds a list of 2 * 250,000 values (about 8 MB); 40 of them pass the
// vm::kMaxEvaluationBytes budget of 256 MiB, 10 do not.
TEST_F(CaseLimitsTest, EvaluationMemoryPastTheLimit) {
  EXPECT_EQ(Run("built", Case(Ints(10), Ints(250000))).value, 10 * 500000);
  EXPECT_EQ(Run("built", Case(Ints(40), Ints(250000))).codes, std::vector<std::string>{"E0917"});
}

}  // namespace
}  // namespace policy

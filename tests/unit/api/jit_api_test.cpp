// LoadOptions::jit through the public API: which decisions run native code, and a version's
// machine code staying valid for an evaluator that still uses it after the set was reloaded (hot
// reload keeps old versions alive the same way: by the evaluators that hold them).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "policy/policy.hpp"
#include "tests/unit/api/api_test_support.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

// The public API: LoadOptions::jit, Decision::native(), and a version's machine code staying
// valid for an evaluator that still uses it after the set was reloaded.
TEST(JitTest, NativeCodeOutlivesTheHandleThatLoadedIt) {
  api::LoadOptions options;
  options.jit = true;
  const std::string dir = std::string(POLICY_SOURCE_DIR) + "/policies";
  const std::string json =
      api::ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases" / "hk_dependant_spouse.json");
  const api::Date as_of = std::chrono::year{2025} / 9 / 1;
  api::Evaluator old_ev;
  api::Decision old_d;
  std::string expected;
  {
    auto set = api::PolicySet::Load({dir}, options);
    ASSERT_TRUE(set) << set.error().message;
    auto d = set->decision("hk.employment.part_time_on_campus_allowed");
    ASSERT_TRUE(d);
#ifdef POLICY_TEST_JIT
    EXPECT_GT(set->jit_compile_ms(), 0);
    EXPECT_TRUE(d->native()) << d->interpreted_because();
#else
    // Without LLVM the request is honoured by the interpreter, and says so.
    EXPECT_FALSE(d->native());
    EXPECT_NE(d->interpreted_because().find("no JIT"), std::string::npos) << d->interpreted_because();
#endif
    old_ev = api::Evaluator(*set);
    old_d = *d;
    auto r = old_ev.EvaluateJson(old_d, json, as_of);
    ASSERT_TRUE(r) << r.error().message;
    expected = *r;
  }  // the PolicySet handle is gone; the evaluator keeps its version (and its code) alive
  auto reloaded = api::PolicySet::Load({dir}, options);
  ASSERT_TRUE(reloaded);
  for (int i = 0; i < 100; ++i) {
    auto r = old_ev.EvaluateJson(old_d, json, as_of);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, expected);
  }
  auto plain = api::PolicySet::Load({dir});
  ASSERT_TRUE(plain);
  auto d = plain->decision("hk.employment.part_time_on_campus_allowed");
  EXPECT_FALSE(d->native());
  EXPECT_EQ(d->interpreted_because(), "");
  api::Evaluator ev(*plain);
  EXPECT_EQ(*ev.EvaluateJson(*d, json, as_of), expected);
}

// LoadOptions::JitTier::kTiered (the default): evaluations on two threads while the background
// compile replaces the quick code. Every answer is the interpreter's, before, during and after
// the switch. Run under ThreadSanitizer by `scripts/test.sh --tsan` (it matches *Concurrent*).
TEST(JitTest, ConcurrentEvaluationsWhileTheOptimizedCodeArrives) {
  const std::string dir = std::string(POLICY_SOURCE_DIR) + "/policies";
  const char* names[] = {"hk.employment.part_time_on_campus_allowed", "hk.entry.applicant_documents",
                         "hk.stay.limit_of_stay"};
  std::vector<std::string> cases;
  for (const char* file : {"hk_exchange_student.json", "hk_mainland_undergraduate.json",
                           "hk_minor_private_school.json", "hk_extension_applicant.json"}) {
    cases.push_back(api::ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases" / file));
  }
  const api::Date as_of = std::chrono::year{2025} / 9 / 1;
  // The interpreter's answers.
  auto plain = api::PolicySet::Load({dir});
  ASSERT_TRUE(plain);
  std::vector<std::string> expected;
  {
    api::Evaluator ev(*plain);
    for (const char* name : names) {
      for (const std::string& json : cases) {
        auto r = ev.EvaluateJson(*plain->decision(name), json, as_of);
        ASSERT_TRUE(r) << r.error().message;
        expected.push_back(*r);
      }
    }
  }
  api::LoadOptions options;
  options.jit = true;
  ASSERT_EQ(options.jit_tier, api::LoadOptions::JitTier::kTiered);
  auto set = api::PolicySet::Load({dir}, options);
  ASSERT_TRUE(set) << set.error().message;
  std::vector<api::Decision> decisions;
  std::vector<api::Facts> facts;
  for (const char* name : names) {
    decisions.push_back(*set->decision(name));
  }
  for (const std::string& json : cases) {
    facts.push_back(std::move(*decisions[0].FactsFromJson(json)));
  }
  std::atomic<bool> optimized{false};
  std::atomic<int> mismatches{0};
  auto evaluate = [&] {
    api::Evaluator ev(*set);
    // Until the switch, then as many rounds again on the optimised code.
    for (int after = 0; after < 200;) {
      after += optimized.load() ? 1 : 0;
      for (size_t d = 0; d < decisions.size(); ++d) {
        for (size_t c = 0; c < facts.size(); ++c) {
          const api::Decided r = ev.Decide(decisions[d], facts[c], as_of);
          const std::string& want = expected[d * cases.size() + c];
          if (!r.ok() || want.find("\"value\":" + r.value.to_json() + "}") == std::string::npos) {
            ++mismatches;
          }
        }
      }
    }
  };
  std::thread a(evaluate);
  std::thread b(evaluate);
  const double ms = set->WaitForOptimizedCode();
  optimized.store(true);
  a.join();
  b.join();
  EXPECT_EQ(mismatches.load(), 0);
#ifdef POLICY_TEST_JIT
  EXPECT_GT(ms, 0) << "the optimised code was not installed";
  EXPECT_TRUE(decisions[2].native());
#else
  EXPECT_EQ(ms, 0);
#endif
  // kQuick never has optimised code to wait for.
  options.jit_tier = api::LoadOptions::JitTier::kQuick;
  EXPECT_EQ(api::PolicySet::Load({dir}, options)->WaitForOptimizedCode(), 0);
}

}  // namespace
}  // namespace policy

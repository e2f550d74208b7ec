// LoadOptions::jit through the public API: which decisions run native code, and a version's
// machine code staying valid for an evaluator that still uses it after the set was reloaded (hot
// reload keeps old versions alive the same way: by the evaluators that hold them).
#include <gtest/gtest.h>

#include <filesystem>

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

}  // namespace
}  // namespace policy

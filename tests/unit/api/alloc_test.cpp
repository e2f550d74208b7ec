// "No heap allocation per evaluation for scalar results" (docs/performance.md), as a test: this
// binary replaces the global operator new with a counting one, warms an Evaluator up, and then
// requires zero allocations over many evaluations of decisions with scalar results, through
// typed facts. It counts, it does not time, so it is exact on any machine.
//
// The count is per thread: under JitTier::kTiered a background thread compiles the optimised
// code while the evaluations run, and what it allocates is the compiler's, not the evaluation's.
// (A process-wide count made this test fail whenever that compile was still running.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <new>
#include <optional>
#include <string>

#include "policy/policy.hpp"
#include "tests/unit/api/api_test_support.h"

// The replacement pairs malloc with free on purpose; GCC cannot see that both sides are replaced.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
// Trivially constructed and destroyed, so it is safe to touch from operator new on any thread
// at any point of its life.
thread_local long t_allocations = 0;
}  // namespace

auto operator new(size_t size) -> void* {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's temporary buffer uses it): every allocation that the
// replaced operator delete frees must come from malloc, or AddressSanitizer rightly reports a
// mismatch.
auto operator new(size_t size, const std::nothrow_t&) noexcept -> void* {
  ++t_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace policy::api {
namespace {

namespace fs = std::filesystem;

auto Describe(std::optional<LoadOptions::JitTier> jit) -> std::string {
  if (!jit) {
    return " (interpreter)";
  }
  switch (*jit) {
    case LoadOptions::JitTier::kTiered:
      return " (JIT, tiered)";
    case LoadOptions::JitTier::kQuick:
      return " (JIT, quick)";
    case LoadOptions::JitTier::kOptimized:
      return " (JIT, optimised)";
  }
  return "";
}

// Warms an evaluator up on D1 (Bool), the weekly limit (Int) and the limit of stay (Date?),
// scalar results, then requires zero allocations over 1000 evaluations through `evaluate`.
template <typename Evaluate>
void ExpectNoAllocations(std::optional<LoadOptions::JitTier> jit, Evaluate evaluate) {
  LoadOptions options;
  options.jit = jit.has_value();
  if (jit) {
    options.jit_tier = *jit;
  }
  auto set = PolicySet::Load({(fs::path(POLICY_SOURCE_DIR) / "policies").string()}, options);
  ASSERT_TRUE(set.ok());
  const std::string json =
      ReadFile(fs::path(POLICY_SOURCE_DIR) / "examples/cases/hk_mainland_undergraduate.json");
  for (const char* name : {"hk.employment.part_time_on_campus_allowed",
                           "hk.employment.part_time_max_hours_per_week", "hk.stay.limit_of_stay"}) {
    auto d = set->decision(name);
    ASSERT_TRUE(d.ok());
    auto facts = CaseToTypedFacts(*d, json);
    ASSERT_TRUE(facts.ok()) << facts.error().message;
    Evaluator ev(*set);
    const Date as_of = std::chrono::year{2025} / 9 / 1;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(evaluate(ev, *d, *facts, as_of));
    }
    const long before = t_allocations;
    bool all_ok = true;
    for (int i = 0; i < 1000; ++i) {
      all_ok = evaluate(ev, *d, *facts, as_of) && all_ok;
    }
    const long after = t_allocations;
    EXPECT_TRUE(all_ok);
    EXPECT_EQ(after - before, 0) << name << Describe(jit) << ": allocations in 1000 warm evaluations";
  }
}

TEST(AllocationTest, ScalarResultsAllocateNothingOnceWarm) {
  ExpectNoAllocations(std::nullopt, [](Evaluator& ev, const Decision& d, const Facts& f, Date as_of) {
    return ev.Evaluate(d, f, as_of).ok();
  });
}

// Decide, the hot-loop form, on the interpreter and on each tier of the JIT's machine code:
// nothing either. Under kTiered the evaluations run while the optimised code may be arriving.
TEST(AllocationTest, DecideAllocatesNothingOnceWarm) {
  for (const auto jit :
       {std::optional<LoadOptions::JitTier>{}, std::optional{LoadOptions::JitTier::kQuick},
        std::optional{LoadOptions::JitTier::kTiered}, std::optional{LoadOptions::JitTier::kOptimized}}) {
    ExpectNoAllocations(jit, [](Evaluator& ev, const Decision& d, const Facts& f, Date as_of) {
      return ev.Decide(d, f, as_of).ok();
    });
  }
}

TEST(AllocationTest, TheCounterCounts) {
  // Guards the test above against a counter that never moves.
  const long before = t_allocations;
  auto* p = new std::string(100, 'x');
  delete p;
  EXPECT_GE(t_allocations - before, 1);
}

}  // namespace
}  // namespace policy::api

// The well-typed program generator (fuzz/program_gen.h) with fixed seeds, in the ordinary test
// suite: the invariants the fuzz_well_typed target checks, on 300 programs, and a check that the
// generator is not degenerate (its programs use the language, and most decisions produce values
// rather than errors).
#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "fuzz/program_gen.h"
#include "runtime/engine/engine.h"

namespace policy::fuzz {
namespace {

auto Seed(uint32_t seed) -> std::vector<uint8_t> {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(64 + seed % 1024);
  for (uint8_t& b : bytes) {
    b = static_cast<uint8_t>(rng());
  }
  return bytes;
}

TEST(GeneratedProgramsTest, InvariantsHoldForFixedSeeds) {
  for (uint32_t seed = 0; seed < 300; ++seed) {
    const auto bytes = Seed(seed);
    const std::string failure = CheckGeneratedProgram(bytes);
    ASSERT_EQ(failure, "") << "seed " << seed;
  }
}

TEST(GeneratedProgramsTest, TheGeneratorCoversTheLanguage) {
  size_t decisions = 0;
  size_t values = 0;
  std::string all;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    const GeneratedProgram g = GenerateProgram(Seed(seed));
    all += g.policy;
    const LoadResult loaded = Engine::LoadSources({{"gen.policy", g.policy}});
    ASSERT_NE(loaded.engine, nullptr) << g.policy;
    const Engine& e = *loaded.engine;
    auto ctx = e.NewContext();
    for (const std::string& name : g.decisions) {
      const uint32_t d = *e.FindDecision(name);
      DiagnosticSink diags;
      const auto input = e.ReadCase(d, g.case_json, "case.json", *ctx, diags);
      ASSERT_TRUE(input.has_value()) << g.case_json;
      ++decisions;
      const auto r = e.Evaluate(d, *input, g.as_of, *ctx, nullptr, diags);
      values += r.has_value() && r->applicable ? 1 : 0;
    }
  }
  for (const char* construct : {"exception", "default", "effective from", "match c.color", "some(", "??",
                                "count it0", "sum it0", "any it", "all it", " in c.tags", "days_between",
                                " months", "as_of", "def f", "const K", "(c)", "(c, "}) {
    EXPECT_NE(all.find(construct), std::string::npos) << construct;
  }
  EXPECT_TRUE(std::regex_search(all, std::regex("[0-9]%[^0-9]"))) << "no percent literal";
  EXPECT_GT(values * 2, decisions) << values << " of " << decisions << " decisions gave a value";
}

}  // namespace
}  // namespace policy::fuzz

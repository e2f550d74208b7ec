// The definitions `policy diff` and `policy review` compare before asking Z3
// (compiler/ir/fingerprint.h): rewording, reformatting and reordering change none; a change to a
// function changes exactly the decisions that reach it; the parts the IR dump leaves out (a
// duration's unit) and the types count; and the diff reports an identical decision as the same
// without a question to Z3.
#include <gtest/gtest.h>

#include <map>

#include "compiler/ir/fingerprint.h"
#include "runtime/analysis/diff.h"
#include "runtime/engine/engine.h"

namespace policy {
namespace {

constexpr const char* kBase = R"(module m

enum Mode { full_time, part_time }

record C {
  mode: Mode
  hours: Int
  start: Date
}

/// The weekly limit.
def limit(c: C) -> Int = if c.mode == full_time then 20 else 10

decision within(c: C) -> Bool
  source "Q1"
  default false
  /// "not more than the limit"
  rule r
    effective from 2014-03-17
    when c.hours <= limit(c)
    then true

decision deadline(c: C) -> Date
  default c.start + 3 days
)";

auto Definitions(const std::string& text) -> std::map<std::string, std::string> {
  const LoadResult loaded = Engine::LoadSources({{"m.policy", text}});
  EXPECT_TRUE(loaded.engine) << (loaded.diagnostics.diagnostics().empty()
                                     ? std::string()
                                     : loaded.diagnostics.diagnostics().front().message);
  std::map<std::string, std::string> out;
  if (!loaded.engine) {
    return out;
  }
  const ir::Program& ir = loaded.engine->program().ir();
  const std::vector<std::string> texts = ir::DecisionDefinitions(ir);
  for (size_t i = 0; i < ir.decisions.size(); ++i) {
    out[ir.decisions[i].name] = texts[i];
  }
  return out;
}

auto Replace(std::string text, const std::string& from, const std::string& to) -> std::string {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(FingerprintTest, RewordingReformattingAndReorderingChangeNothing) {
  const auto base = Definitions(kBase);
  std::string edited =
      Replace(kBase, "/// The weekly limit.", "/// The weekly limit, reworded.\n// a comment");
  edited = Replace(edited, R"(source "Q1")", R"(source "Q1, Q2")");
  edited = Replace(edited, "    when c.hours <= limit(c)", "    when c.hours\n      <= limit(c)");
  // The two decisions swapped.
  const size_t within = edited.find("decision within");
  const size_t deadline = edited.find("decision deadline");
  edited =
      edited.substr(0, within) + edited.substr(deadline) + "\n" + edited.substr(within, deadline - within);
  EXPECT_EQ(Definitions(edited), base);
}

TEST(FingerprintTest, AChangedFunctionChangesExactlyTheDecisionsThatReachIt) {
  const auto base = Definitions(kBase);
  const auto edited = Definitions(Replace(kBase, "then 20 else 10", "then 24 else 10"));
  EXPECT_NE(edited.at("m.within"), base.at("m.within"));
  EXPECT_EQ(edited.at("m.deadline"), base.at("m.deadline"));
}

TEST(FingerprintTest, ADurationsUnitAndARulesEffectiveDateCount) {
  const auto base = Definitions(kBase);
  EXPECT_NE(Definitions(Replace(kBase, "3 days", "3 weeks")).at("m.deadline"), base.at("m.deadline"));
  EXPECT_NE(Definitions(Replace(kBase, "from 2014-03-17", "from 2014-03-18")).at("m.within"),
            base.at("m.within"));
}

// Texts with escaped quotes: one text `a", "b` is not the two texts `a` and `b`.
TEST(FingerprintTest, DifferentConstantsNeverReadTheSame) {
  const std::string base =
      std::string(kBase) + "\ndecision tag(c: C) -> Bool\n  default c.mode in {full_time}\n";
  const auto with = [&base](const std::string& set) {
    return Definitions(base + "\ndecision names(c: C) -> Bool\n  default \"a\" in " + set + "\n");
  };
  EXPECT_NE(with(R"({"a\", \"b"})").at("m.names"), with(R"({"a", "b"})").at("m.names"));
  EXPECT_EQ(with(R"({"a", "b"})").at("m.names"), with(R"({"a", "b"})").at("m.names"));
}

TEST(FingerprintTest, AChangedTypeChangesEveryDefinition) {
  const auto base = Definitions(kBase);
  const auto edited = Definitions(Replace(kBase, "part_time }", "part_time, distance }"));
  EXPECT_NE(edited.at("m.within"), base.at("m.within"));
  EXPECT_NE(edited.at("m.deadline"), base.at("m.deadline"));
}

TEST(FingerprintTest, TheDiffTakesAnIdenticalDecisionAsTheSameWithoutZ3) {
  const LoadResult a = Engine::LoadSources({{"m.policy", kBase}});
  const LoadResult b =
      Engine::LoadSources({{"m.policy", Replace(kBase, "then 20 else 10", "then 24 else 10")}});
  ASSERT_TRUE(a.engine && b.engine);
  DiffOptions options;
  options.as_of = *Date::FromCivil(2025, 9, 1);
  options.seeds = {R"({"mode": "full_time", "hours": 10, "start": "2025-01-01"})"};
  std::map<std::string, DecisionDiff> by_name;
  for (DecisionDiff& d : DiffPolicySets(*a.engine, *b.engine, options)) {
    by_name[d.decision] = d;
  }
  EXPECT_EQ(by_name.at("m.deadline").status, DecisionDiff::Status::kSame);
  EXPECT_EQ(by_name.at("m.deadline").method, "identical");
  EXPECT_TRUE(by_name.at("m.deadline").proven);
  EXPECT_EQ(by_name.at("m.within").status, DecisionDiff::Status::kDifferent);
  // Asked to, Z3 proves the identical one the same.
  options.prove_identical = true;
  for (const DecisionDiff& d : DiffPolicySets(*a.engine, *b.engine, options)) {
    if (d.decision == "m.deadline") {
      EXPECT_EQ(d.method, "");
      EXPECT_TRUE(d.proven);
    }
  }
}

}  // namespace
}  // namespace policy

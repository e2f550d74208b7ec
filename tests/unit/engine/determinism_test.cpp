// Determinism (docs/reliability.md): the same policies and case give byte-identical output,
// whatever order the files are given in, however often and in whichever context they are
// evaluated, and whatever order a set's items arrive in. Across processes and environments the
// CLI is compared by tests/determinism.sh, and across machines by examples/expected (compared in
// catalogue_test on every CI machine).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "runtime/engine/engine.h"
#include "tests/support/engine_test_support.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

using test::ReadFile;

auto PolicyFiles() -> std::vector<std::string> {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(POLICY_SOURCE_DIR) / "policies")) {
    if (e.path().extension() == ".policy") {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

auto ExampleCases() -> std::vector<fs::path> {
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "examples/cases")) {
    cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

// Every decision on every example case, with both explanations, as one text.
auto EverythingAsText(const Engine& e) -> std::string {
  std::string out;
  auto ctx = e.NewContext();
  const Date as_of = *Date::FromCivil(2025, 9, 1);
  for (const fs::path& c : ExampleCases()) {
    const std::string json = ReadFile(c);
    for (const std::string& name : e.DecisionNames()) {
      const uint32_t d = *e.FindDecision(name);
      DiagnosticSink diags;
      out += name + " on " + c.filename().string() + ": ";
      const auto input = e.ReadCase(d, json, c.filename().string(), *ctx, diags);
      if (!input) {
        out += "unreadable " + RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
        continue;
      }
      vm::Trace trace;
      const auto r = e.Evaluate(d, *input, as_of, *ctx, &trace, diags);
      if (!r) {
        out += "error " + RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kJson);
        continue;
      }
      out += exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value)) + "\n";
      out += e.ExplanationText(trace) + exact_json::Dump(e.ExplanationJson(trace)) + "\n";
    }
  }
  return out;
}

TEST(DeterminismTest, FileOrderDoesNotChangeAnyOutput) {
  std::vector<std::string> files = PolicyFiles();
  const LoadResult forward = Engine::Load(files);
  std::reverse(files.begin(), files.end());
  const LoadResult backward = Engine::Load(files);
  ASSERT_NE(forward.engine, nullptr);
  ASSERT_NE(backward.engine, nullptr);
  const std::string a = EverythingAsText(*forward.engine);
  EXPECT_GT(a.size(), 10000U);
  EXPECT_EQ(a, EverythingAsText(*backward.engine));
  EXPECT_EQ(a, EverythingAsText(*forward.engine)) << "a second pass in new contexts";
}

TEST(DeterminismTest, DiagnosticsComeInADefinedOrder) {
  // Two files with errors, loaded in both orders: the rendered diagnostics are identical,
  // sorted by file path and then position.
  const std::vector<std::pair<std::string, std::string>> files = {
      {"b.policy", "module b\nconst x: Int = true\nconst y: Bool = 1\n"},
      {"a.policy", "module a\nimport nowhere\nconst z: Text = 3\n"},
  };
  const LoadResult one = Engine::LoadSources(files);
  const LoadResult other = Engine::LoadSources({files[1], files[0]});
  const std::string rendered = RenderDiagnostics(one.diagnostics.Sorted(), *one.sources, DiagFormat::kShort);
  EXPECT_EQ(rendered, RenderDiagnostics(other.diagnostics.Sorted(), *other.sources, DiagFormat::kShort));
  EXPECT_LT(rendered.find("a.policy:2"), rendered.find("a.policy:3"));
  EXPECT_LT(rendered.find("a.policy:3"), rendered.find("b.policy:2"));
  EXPECT_LT(rendered.find("b.policy:2"), rendered.find("b.policy:3"));
}

TEST(DeterminismTest, SetsAreOrderedWhateverTheInputOrder) {
  const LoadResult loaded = Engine::LoadSources({{"m.policy", R"(module m
enum Colour { red, green, blue }
record Case {
  colours: Set<Colour>
  names: Set<Text>
}
decision colours(c: Case) -> Set<Colour>
  rule r then c.colours + {green}
decision names(c: Case) -> Set<Text>
  rule r then c.names
)"}});
  ASSERT_NE(loaded.engine, nullptr);
  const Engine& e = *loaded.engine;
  auto ctx = e.NewContext();
  auto run = [&](const std::string& decision, const std::string& json) {
    const uint32_t d = *e.FindDecision(decision);
    DiagnosticSink diags;
    const auto input = e.ReadCase(d, json, "case.json", *ctx, diags);
    EXPECT_TRUE(input.has_value());
    const auto r = e.Evaluate(d, *input, *Date::FromCivil(2025, 1, 1), *ctx, nullptr, diags);
    EXPECT_TRUE(r.has_value());
    return exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value));
  };
  // The decision catalogue's JSON contract: a set is written sorted by the code points of its
  // strings (not in declaration order, not in locale order).
  EXPECT_EQ(run("m.colours", R"({"colours": ["blue", "red"], "names": []})"), R"(["blue","green","red"])");
  EXPECT_EQ(run("m.colours", R"({"colours": ["red", "blue"], "names": []})"), R"(["blue","green","red"])");
  EXPECT_EQ(run("m.names", R"({"colours": [], "names": ["édith", "Zoe", "adam"]})"),
            R"(["Zoe","adam","édith"])");
  EXPECT_EQ(run("m.names", R"({"colours": [], "names": ["adam", "édith", "Zoe"]})"),
            R"(["Zoe","adam","édith"])");
}

}  // namespace
}  // namespace policy

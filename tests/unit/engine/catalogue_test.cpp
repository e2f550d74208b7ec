// The decision catalogue on the example cases: every decision listed in examples/catalogue.txt
// evaluates on every case in examples/cases/ (as of the fixed date below, through the same JSON
// path as `policy eval --format json`), and the values match examples/expected/<case>.json.
// Regenerate the expectations after an intended change with POLICY_GOLDEN_UPDATE=1, and review
// the diff: it is the behaviour change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/engine/engine.h"

namespace policy {
namespace {

namespace fs = std::filesystem;
constexpr const char* kAsOf = "2025-09-01";

auto ReadAll(const fs::path& p) -> std::string {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

auto CatalogueNames() -> std::vector<std::string> {
  std::vector<std::string> names;
  std::istringstream in(ReadAll(fs::path(POLICY_SOURCE_DIR) / "examples/catalogue.txt"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') {
      names.push_back(line);
    }
  }
  return names;
}

TEST(CatalogueTest, EveryDecisionEvaluatesOnEveryExampleCase) {
  const fs::path root(POLICY_SOURCE_DIR);
  LoadResult loaded = Engine::Load({(root / "policies").string()});
  ASSERT_NE(loaded.engine, nullptr) << RenderDiagnostics(loaded.diagnostics.Sorted(), *loaded.sources,
                                                         DiagFormat::kShort);
  const Engine& engine = *loaded.engine;
  const std::vector<std::string> names = CatalogueNames();
  ASSERT_EQ(names.size(), 45U);
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root / "examples/cases")) {
    if (entry.path().extension() == ".json") {
      cases.push_back(entry.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  ASSERT_GE(cases.size(), 5U);
  const bool update = std::getenv("POLICY_GOLDEN_UPDATE") != nullptr;
  for (const fs::path& file : cases) {
    nlohmann::ordered_json actual = nlohmann::ordered_json::object();
    for (const std::string& name : names) {
      const auto decision = engine.FindDecision(name);
      ASSERT_TRUE(decision.has_value()) << name << " is not implemented";
      auto ctx = engine.NewContext();
      DiagnosticSink diags;
      const auto input = engine.ReadCase(*decision, ReadAll(file), file.filename().string(), *ctx, diags);
      ASSERT_TRUE(input.has_value()) << file << ": "
                                     << RenderDiagnostics(diags.Sorted(), engine.sources(),
                                                          DiagFormat::kShort);
      const auto result = engine.Evaluate(*decision, *input, *Date::Parse(kAsOf), *ctx, nullptr, diags);
      ASSERT_TRUE(result.has_value())
          << name << " on " << file.filename() << ": "
          << RenderDiagnostics(diags.Sorted(), engine.sources(), DiagFormat::kShort);
      actual[name] = engine.ValueToJson(engine.DecisionResultType(*decision), result->value);
    }
    const fs::path expected_file = root / "examples/expected" / file.filename();
    if (update) {
      fs::create_directories(expected_file.parent_path());
      std::ofstream(expected_file, std::ios::binary) << exact_json::Dump(actual, 2) << "\n";
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_file))
        << expected_file << " is missing (POLICY_GOLDEN_UPDATE=1 writes it)";
    const auto expected = exact_json::Parse<nlohmann::ordered_json>(ReadAll(expected_file));
    for (const std::string& name : names) {
      EXPECT_EQ(actual[name], expected.value(name, nlohmann::ordered_json()))
          << name << " on " << file.filename() << " as of " << kAsOf;
    }
  }
}

}  // namespace
}  // namespace policy

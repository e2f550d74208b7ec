// The examples of the language reference run. Every ```policy block of docs/language.md must
// appear verbatim in a file that `policy test` runs (docs/examples/*.policy or the bundled
// policies), so an example cannot drift from what the implementation does. A block that is not
// there but is a whole module (it starts with `module`), such as an example of a conflict found
// only at evaluation, must instead check without errors on its own.
#include <gtest/gtest.h>

#include <filesystem>

#include "compiler/pipeline.h"
#include "tests/support/engine_test_support.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

using test::ReadFile;

auto PolicyBlocks(const std::string& markdown) -> std::vector<std::string> {
  std::vector<std::string> blocks;
  const std::string open = "\n```policy\n";
  for (size_t at = markdown.find(open); at != std::string::npos; at = markdown.find(open, at)) {
    const size_t start = at + open.size();
    const size_t end = markdown.find("\n```", start - 1);
    if (end == std::string::npos) {
      break;
    }
    blocks.push_back(markdown.substr(start, end + 1 - start));
    at = end + 4;
  }
  return blocks;
}

auto TestedPolicyText() -> std::string {
  std::string all;
  for (const char* dir : {"docs/examples", "policies"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(POLICY_SOURCE_DIR) / dir)) {
      if (entry.path().extension() == ".policy") {
        all += ReadFile(entry.path());
      }
    }
  }
  return all;
}

TEST(DocsExamplesTest, EveryPolicyBlockOfTheReferenceIsTested) {
  const std::vector<std::string> blocks =
      PolicyBlocks(ReadFile(fs::path(POLICY_SOURCE_DIR) / "docs/language.md"));
  ASSERT_GT(blocks.size(), 40U);
  const std::string tested = TestedPolicyText();
  for (const std::string& block : blocks) {
    if (tested.find(block) != std::string::npos) {
      continue;
    }
    if (block.rfind("module ", 0) == 0) {
      SourceManager sources;
      DiagnosticSink diags;
      CompileSources({{"example.policy", block}}, CompileOptions{}, sources, diags);
      EXPECT_FALSE(diags.has_errors())
          << "this module example of docs/language.md does not check:\n"
          << block << RenderDiagnostics(diags.Sorted(), sources, DiagFormat::kShort);
      continue;
    }
    ADD_FAILURE() << "this example of docs/language.md is not in docs/examples/ (copy it there verbatim):\n"
                  << block;
  }
}

}  // namespace
}  // namespace policy

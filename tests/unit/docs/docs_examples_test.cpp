// The policy examples of the docs are real. Every ```policy block of README.md and docs/*.md
// (docs/diagnostics.md shows mistakes on purpose: its generator checks each one gives its code)
// must either appear verbatim in a file that `policy test` runs and the formatter test keeps
// formatted (docs/examples/*.policy or the bundled policies), or be a whole module (it starts
// with a doc comment or `module`) that checks without errors and is already formatted. A module
// that imports the bundled ones (the README's tour abridges hk.employment) is checked in their
// company, in place of the bundled file of the same name. So a snippet cannot drift from what the
// implementation accepts (issue 34).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "compiler/pipeline.h"
#include "compiler/syntax/format.h"
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

auto PolicyFiles() -> std::vector<fs::path> {
  std::vector<fs::path> files;
  for (const char* dir : {"docs/examples", "policies"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(POLICY_SOURCE_DIR) / dir)) {
      if (entry.path().extension() == ".policy") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

auto TestedPolicyText() -> std::string {
  std::string all;
  for (const fs::path& file : PolicyFiles()) {
    all += ReadFile(file);
  }
  return all;
}

auto ModuleName(const std::string& text) -> std::string {
  static const std::regex kModule(R"((^|\n)module ([A-Za-z0-9_.]+))");
  std::smatch m;
  return std::regex_search(text, m, kModule) ? m[2].str() : std::string();
}

// Checks a module example: alone, or with the bundled policies when it imports them.
auto CheckModule(const std::string& block) -> std::string {
  std::vector<std::pair<std::string, std::string>> files{{"example.policy", block}};
  if (block.find("\nimport hk.") != std::string::npos || block.find("\nimport hust.") != std::string::npos) {
    const std::string name = ModuleName(block);
    for (const fs::path& file : PolicyFiles()) {
      const std::string text = ReadFile(file);
      if (file.string().find("/policies/") != std::string::npos && ModuleName(text) != name) {
        files.emplace_back(file.string(), text);
      }
    }
  }
  SourceManager sources;
  DiagnosticSink diags;
  CompileSources(files, CompileOptions{}, sources, diags);
  if (diags.has_errors()) {
    return "it does not check:\n" + RenderDiagnostics(diags.Sorted(), sources, DiagFormat::kShort);
  }
  SourceManager one;
  const FileId id = one.Add("example.policy", block);
  DiagnosticSink format_diags;
  const std::optional<std::string> formatted = syntax::FormatSource(one.Get(id), id, format_diags);
  if (!formatted || *formatted != block) {
    return "it is not formatted as `policy fmt` writes it:\n" + formatted.value_or("(does not parse)");
  }
  return "";
}

auto DocsWithPolicyBlocks() -> std::vector<fs::path> {
  std::vector<fs::path> docs{fs::path(POLICY_SOURCE_DIR) / "README.md"};
  for (const auto& entry : fs::directory_iterator(fs::path(POLICY_SOURCE_DIR) / "docs")) {
    if (entry.path().extension() == ".md" && entry.path().filename() != "diagnostics.md") {
      docs.push_back(entry.path());
    }
  }
  std::sort(docs.begin(), docs.end());
  return docs;
}

TEST(DocsExamplesTest, EveryPolicyBlockOfTheDocsIsTestedOrChecks) {
  const std::string tested = TestedPolicyText();
  size_t blocks_seen = 0;
  for (const fs::path& doc : DocsWithPolicyBlocks()) {
    const std::vector<std::string> blocks = PolicyBlocks(ReadFile(doc));
    blocks_seen += blocks.size();
    for (const std::string& block : blocks) {
      if (tested.find(block) != std::string::npos) {
        continue;
      }
      if (block.rfind("module ", 0) == 0 || block.rfind("///", 0) == 0) {
        const std::string problem = CheckModule(block);
        EXPECT_EQ(problem, "") << "this module example of " << doc.filename().string() << ":\n" << block;
        continue;
      }
      ADD_FAILURE() << "this example of " << doc.filename().string()
                    << " is not in docs/examples/ (copy it there verbatim):\n"
                    << block;
    }
  }
  EXPECT_GT(blocks_seen, 50U);
}

// The reference keeps its examples: a rewrite that dropped the fences would pass the test above.
TEST(DocsExamplesTest, TheReferenceHasItsExamples) {
  EXPECT_GT(PolicyBlocks(ReadFile(fs::path(POLICY_SOURCE_DIR) / "docs/language.md")).size(), 40U);
  EXPECT_EQ(PolicyBlocks(ReadFile(fs::path(POLICY_SOURCE_DIR) / "README.md")).size(), 1U);
}

}  // namespace
}  // namespace policy

// CloneModule (compiler/syntax/clone.h) against the parser: a copy of a tree prints as the tree
// does, in its new file, and a set checked from copies lowers to the very program a fresh parse
// gives. Run on every policy in the repository, so a field added to the AST and not copied fails
// here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/ir/lower.h"
#include "compiler/pipeline.h"
#include "compiler/syntax/clone.h"
#include "compiler/syntax/parse.h"
#include "compiler/syntax/print_ast.h"

namespace policy {
namespace {

namespace fs = std::filesystem;

auto ReadFile(const fs::path& p) -> std::string {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

auto PolicyFiles(const std::string& dir) -> std::vector<fs::path> {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(POLICY_SOURCE_DIR) / dir)) {
    if (e.path().extension() == ".policy") {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(CloneTest, ACopyPrintsAsTheTreeInItsNewFile) {
  size_t files = 0;
  for (const std::string dir : {"policies", "stdlib", "docs/examples", "tests/golden"}) {
    for (const fs::path& p : PolicyFiles(dir)) {
      SourceManager sources;
      const std::string text = ReadFile(p);
      sources.Add("padding", "");  // so that the original is file 1 and the copy file 2
      const FileId original_id = sources.Add(p.string(), text);
      const FileId copy_id = sources.Add(p.string(), text);
      DiagnosticSink diags;
      const ast::Module original = syntax::Parse(sources.Get(original_id), original_id, diags);
      const ast::Module copy = syntax::CloneModule(original, copy_id);
      EXPECT_EQ(copy.file, copy_id);
      EXPECT_EQ(syntax::PrintAst(copy, sources), syntax::PrintAst(original, sources)) << p;
      ++files;
    }
  }
  EXPECT_GT(files, 100u);
}

TEST(CloneTest, ASetCheckedFromCopiesLowersToTheSameProgram) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const fs::path& p : PolicyFiles("policies")) {
    files.emplace_back(p.string(), ReadFile(p));
  }
  SourceManager fresh_sources;
  DiagnosticSink fresh_diags;
  const auto fresh = CompileSources(files, {}, fresh_sources, fresh_diags);
  ASSERT_TRUE(fresh != nullptr);

  // Parse once into a scratch manager, then check copies placed in a new one, as the language
  // server does.
  SourceManager scratch;
  SourceManager sources;
  DiagnosticSink diags;
  std::vector<ast::Module> modules;
  const auto add = [&](const std::string& path, const std::string& text) {
    const FileId parsed_id = scratch.Add(path, text);
    const ast::Module parsed = syntax::Parse(scratch.Get(parsed_id), parsed_id, diags);
    modules.push_back(syntax::CloneModule(parsed, sources.Add(path, text)));
  };
  for (const auto& [path, text] : StdlibSources()) {
    add(path, text);
  }
  const size_t stdlib_count = modules.size();
  for (const auto& [path, text] : files) {
    add(path, text);
  }
  auto checked = CheckModules(std::move(modules), stdlib_count, diags);
  ASSERT_FALSE(diags.has_errors());
  const auto lowered = ir::Lower(std::move(checked->program), sources);
  EXPECT_EQ(ir::PrintIr(*lowered), ir::PrintIr(*fresh));
}

TEST(CloneTest, ParseErrorsMoveWithTheirTree) {
  SourceManager sources;
  const FileId a = sources.Add("a.policy", "module a\nconst x = \n");
  DiagnosticSink diags;
  syntax::Parse(sources.Get(a), a, diags);
  ASSERT_FALSE(diags.diagnostics().empty());
  const Diagnostic moved = syntax::MoveToFile(diags.diagnostics()[0], 7);
  EXPECT_EQ(moved.primary.file, 7u);
  EXPECT_EQ(moved.primary.begin, diags.diagnostics()[0].primary.begin);
}

}  // namespace
}  // namespace policy

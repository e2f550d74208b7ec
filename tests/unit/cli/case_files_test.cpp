// The example cases that analyze, diff and review build witnesses on (cli/case_files.h): by
// default the ones that belong to the policies, wherever the command is run from (issue 28,
// item 8: they were looked up under the working directory only).
#include "cli/case_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace policy::cli {
namespace {

namespace fs = std::filesystem;

TEST(CaseFilesTest, TheDefaultCasesAreTheOnesBesideOrAboveThePolicies) {
  const fs::path root =
      fs::temp_directory_path() / fs::path("policy-case-files-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "repo" / "policies" / "hk");
  fs::create_directories(root / "repo" / "examples" / "cases");
  fs::create_directories(root / "elsewhere");
  std::ofstream(root / "repo" / "policies" / "hk" / "a.policy") << "module a\n";
  const std::string expected = (root / "repo" / "examples" / "cases").string();
  // From the directory of the policies, a file in it, or a subdirectory: the repository's cases.
  EXPECT_EQ(CasePathsOrDefault({}, {(root / "repo" / "policies").string()}),
            std::vector<std::string>{expected});
  EXPECT_EQ(CasePathsOrDefault({}, {(root / "repo" / "policies" / "hk" / "a.policy").string()}),
            std::vector<std::string>{expected});
  // A revision's path (`HEAD:policies`) has nothing beside it; the next path is used.
  EXPECT_EQ(CasePathsOrDefault({}, {"HEAD:policies", (root / "repo" / "policies" / "hk").string()}),
            std::vector<std::string>{expected});
  // `--cases` given is used as it is.
  EXPECT_EQ(CasePathsOrDefault({"mine"}, {(root / "repo" / "policies").string()}),
            std::vector<std::string>{"mine"});
  // Policies with no example cases anywhere above them: the working directory's (the tests run
  // in the repository, which has examples/cases), never another tree's.
  std::ofstream(root / "elsewhere" / "b.policy") << "module b\n";
  EXPECT_EQ(CasePathsOrDefault({}, {(root / "elsewhere").string()}),
            std::vector<std::string>{"examples/cases"});
  fs::remove_all(root);
}

}  // namespace
}  // namespace policy::cli

// The layout docs/architecture.md describes is the layout of the code:
// - every path the document names exists, so it cannot describe files that are gone;
// - every arrow points down the pipeline: core/ includes only core/, compiler/ only core/ and
//   compiler/, runtime/ nothing of cli/ (the rule each folder's README states);
// - every top-level source folder has a README saying what it owns and what it may include;
// - no source file is over 900 lines without a `// Size:` line near its top saying why.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace policy {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot(POLICY_SOURCE_DIR);

auto ReadAll(const fs::path& p) -> std::string {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Our own source files under `folder` (relative to the root), sorted.
auto SourcesUnder(const std::string& folder) -> std::vector<fs::path> {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / folder)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".cpp" || ext == ".h" || ext == ".hpp" || ext == ".def")) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

const char* const kSourceFolders[] = {"core", "compiler", "runtime", "server", "lsp", "cli", "python"};

TEST(ArchitectureDoc, EveryPathItNamesExists) {
  const std::string doc = ReadAll(kRoot / "docs/architecture.md");
  ASSERT_FALSE(doc.empty());
  // A path is a backticked or plain token starting with a top-level folder of the repository.
  const std::regex path_re(
      R"(\b((?:core|compiler|runtime|server|lsp|cli|python|grammar|stdlib|policies|examples|tests|bench|fuzz|docs|scripts|cmake|editors|integrations)/[A-Za-z0-9_./*-]*[A-Za-z0-9_*]))");
  size_t checked = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), path_re); it != std::sregex_iterator(); ++it) {
    std::string path = (*it)[1].str();
    if (path.find('*') != std::string::npos) {
      path = path.substr(0, path.find_last_of('/', path.find('*')));  // `runtime/vm/code_*.cpp`: its folder
    }
    EXPECT_TRUE(fs::exists(kRoot / path))
        << "docs/architecture.md names `" << (*it)[1].str() << "`, which does not exist";
    ++checked;
  }
  EXPECT_GT(checked, 20U) << "docs/architecture.md should name the folders and files of the pipeline";
}

TEST(Layering, EveryIncludePointsDownThePipeline) {
  // What each folder may include of ours (quoted includes that start with a top-level folder).
  const std::map<std::string, std::set<std::string>> allowed = {
      {"core", {"core"}},
      {"compiler", {"core", "compiler"}},
      {"runtime", {"core", "compiler", "runtime"}},
      {"server", {"core", "server"}},  // the engine only through the public API, <policy/policy.hpp>
      {"lsp", {"core", "compiler", "runtime", "lsp"}},  // a tool on the compiler, like the formatter
      {"cli", {"core", "compiler", "runtime", "server", "lsp", "cli"}},
      {"python", {"python"}},  // the engine only through the public API, <policy/policy.hpp>
  };
  const std::regex include_re(R"re(#include "([a-z_]+)/[^"]*")re");
  size_t checked = 0;
  for (const auto& [folder, may] : allowed) {
    for (const fs::path& file : SourcesUnder(folder)) {
      const std::string text = ReadAll(file);
      for (auto it = std::sregex_iterator(text.begin(), text.end(), include_re); it != std::sregex_iterator();
           ++it) {
        const std::string target = (*it)[1].str();
        if (target == "policy") {
          continue;  // the public headers, <policy/...> style
        }
        EXPECT_TRUE(may.contains(target)) << fs::relative(file, kRoot).string() << " includes " << it->str()
                                          << ": " << folder << "/ may include only what its README says";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100U);
}

TEST(Layering, EveryTopLevelSourceFolderHasAReadme) {
  for (const char* folder :
       {"core", "compiler", "runtime", "server", "cli", "grammar", "stdlib", "policies", "examples", "tests",
        "bench", "fuzz", "docs", "integrations", "lsp", "editors", "python"}) {
    EXPECT_TRUE(fs::exists(kRoot / folder / "README.md")) << folder << "/ has no README.md";
  }
}

TEST(Layering, LongFilesSayWhy) {
  for (const char* folder : kSourceFolders) {
    for (const fs::path& file : SourcesUnder(folder)) {
      const std::string text = ReadAll(file);
      const auto lines = std::count(text.begin(), text.end(), '\n');
      if (lines <= 900) {
        continue;
      }
      // The reason must be near the top, where a reader opening the file sees it.
      std::istringstream in(text);
      std::string line;
      bool reason = false;
      for (int i = 0; i < 30 && std::getline(in, line); ++i) {
        reason = reason || line.rfind("// Size:", 0) == 0;
      }
      EXPECT_TRUE(reason) << fs::relative(file, kRoot).string() << " has " << lines
                          << " lines: split it by job, or say why not in a `// Size:` line at its top";
    }
  }
}

}  // namespace
}  // namespace policy

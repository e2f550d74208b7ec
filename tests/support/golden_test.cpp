// Golden file tests: every tests/golden/**/*.policy or *.test file carries the command to run
// and its expected exit code and output in comments at the bottom:
//
//   // RUN: policy check %s
//   // EXIT: 2
//   // STDERR: error[E0203]: unknown field `locally_acredited` on `Programme`
//   // STDOUT: ...
//
// %s is the file's path and %S its directory, both relative to the repository root (the
// working directory of the run). The `fail_` prefix is required exactly when EXIT is not 0.
// Run with POLICY_GOLDEN_UPDATE=1 to rewrite the expectations from the actual output, then
// review the change with `git diff` (Carbon's autoupdate, Catala's --reset).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/driver.h"

namespace fs = std::filesystem;

namespace {

struct GoldenFile {
  std::string path;               // relative to the repository root
  std::vector<std::string> body;  // lines that are not expectations
  std::string run;
  int exit_code = 0;
  std::vector<std::string> stdout_lines;
  std::vector<std::string> stderr_lines;
};

auto SplitLines(const std::string& text) -> std::vector<std::string> {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

auto Read(const std::string& path) -> GoldenFile {
  GoldenFile g;
  g.path = path;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  for (const std::string& line : SplitLines(text.str())) {
    auto starts = [&](const char* p) { return line.rfind(p, 0) == 0; };
    if (starts("// RUN: ")) {
      g.run = line.substr(8);
    } else if (starts("// EXIT: ")) {
      g.exit_code = std::stoi(line.substr(9));
    } else if (starts("// STDOUT:")) {
      g.stdout_lines.push_back(line.size() > 11 ? line.substr(11) : "");
    } else if (starts("// STDERR:")) {
      g.stderr_lines.push_back(line.size() > 11 ? line.substr(11) : "");
    } else {
      g.body.push_back(line);
    }
  }
  while (!g.body.empty() && g.body.back().empty()) {
    g.body.pop_back();
  }
  return g;
}

auto Tokenize(const std::string& command, const GoldenFile& g) -> std::vector<std::string> {
  std::vector<std::string> args;
  std::istringstream in(command);
  std::string word;
  const std::string dir = fs::path(g.path).parent_path().string();
  while (in >> word) {
    for (size_t at = word.find("%s"); at != std::string::npos; at = word.find("%s")) {
      word.replace(at, 2, g.path);
    }
    for (size_t at = word.find("%S"); at != std::string::npos; at = word.find("%S")) {
      word.replace(at, 2, dir);
    }
    args.push_back(word);
  }
  return args;
}

auto ListGoldenFiles() -> std::vector<std::string> {
  fs::current_path(POLICY_SOURCE_DIR);
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator("tests/golden")) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".policy" || ext == ".test")) {
      const std::string p = entry.path().generic_string();
      // Files in a `*.dir` folder are inputs of the test beside it, not tests themselves.
      if (p.find(".dir/") == std::string::npos) {
        files.push_back(p);
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

class GoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesExpectations) {
  fs::current_path(POLICY_SOURCE_DIR);
  GoldenFile g = Read(GetParam());
  ASSERT_FALSE(g.run.empty()) << g.path << " has no `// RUN:` line";
  std::vector<std::string> args = Tokenize(g.run, g);
  ASSERT_FALSE(args.empty());
  ASSERT_EQ(args[0], "policy") << "RUN lines start with `policy`";
  args.erase(args.begin());
  std::ostringstream out;
  std::ostringstream err;
  policy::cli::DriverEnv env;
  env.today = "2025-09-01";  // fixed, so results do not depend on the day the tests run
  const int code = policy::cli::RunPolicyCommand(args, out, err, env);
  const auto out_lines = SplitLines(out.str());
  const auto err_lines = SplitLines(err.str());

  if (std::getenv("POLICY_GOLDEN_UPDATE") != nullptr) {
    std::ofstream file(g.path, std::ios::binary | std::ios::trunc);
    for (const std::string& line : g.body) {
      file << line << "\n";
    }
    file << "\n// RUN: " << g.run << "\n// EXIT: " << code << "\n";
    for (const std::string& l : out_lines) {
      file << "// STDOUT:" << (l.empty() ? "" : " " + l) << "\n";
    }
    for (const std::string& l : err_lines) {
      file << "// STDERR:" << (l.empty() ? "" : " " + l) << "\n";
    }
    return;
  }
  const bool named_fail = fs::path(g.path).filename().string().rfind("fail_", 0) == 0;
  EXPECT_EQ(named_fail, code != 0) << g.path
                                   << ": the `fail_` prefix must be used exactly when the exit code is not 0";
  EXPECT_EQ(code, g.exit_code) << g.path << "\nstdout:\n" << out.str() << "\nstderr:\n" << err.str();
  EXPECT_EQ(out_lines, g.stdout_lines) << g.path << ": stdout differs (POLICY_GOLDEN_UPDATE=1 regenerates)";
  EXPECT_EQ(err_lines, g.stderr_lines) << g.path << ": stderr differs (POLICY_GOLDEN_UPDATE=1 regenerates)";
}

auto TestName(const testing::TestParamInfo<std::string>& info) -> std::string {
  std::string name = info.param.substr(std::string("tests/golden/").size());
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      c = '_';
    }
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, testing::ValuesIn(ListGoldenFiles()), TestName);

}  // namespace

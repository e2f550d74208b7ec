// Every diagnostic code is documented (docs/diagnostics.md) and exercised by a golden test or a
// unit test, as Carbon requires of its diagnostic kinds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/diag/diagnostic.h"

namespace policy {
namespace {

auto ReadAll(const std::filesystem::path& p) -> std::string {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(RegistryTest, CodesAreUniqueAndWellFormed) {
  std::set<std::string> seen;
  for (const DiagKindInfo& k : AllKinds()) {
    EXPECT_TRUE(seen.insert(k.code).second) << k.code;
    EXPECT_EQ(std::string(k.code).size(), 5U) << k.code;
    EXPECT_TRUE(k.code[0] == 'E' || k.code[0] == 'W') << k.code;
  }
}

TEST(RegistryTest, EveryCodeIsDocumented) {
  const std::string docs = ReadAll(std::filesystem::path(POLICY_SOURCE_DIR) / "docs/diagnostics.md");
  for (const DiagKindInfo& k : AllKinds()) {
    EXPECT_NE(docs.find(std::string("## ") + k.code), std::string::npos)
        << k.code << " has no section in docs/diagnostics.md";
  }
}

TEST(RegistryTest, EveryCodeIsTested) {
  std::string corpus;
  for (const char* dir : {"tests/golden", "tests/unit"}) {
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(std::filesystem::path(POLICY_SOURCE_DIR) / dir)) {
      if (e.is_regular_file()) {
        corpus += ReadAll(e.path());
      }
    }
  }
  for (const DiagKindInfo& k : AllKinds()) {
    const bool tested = corpus.find(std::string("[") + k.code + "]") != std::string::npos ||
                        corpus.find(std::string("DiagCode::k") + k.name) != std::string::npos ||
                        corpus.find(std::string("\"") + k.code) != std::string::npos;
    EXPECT_TRUE(tested) << k.code << " (" << k.name << ") is not exercised by any test";
  }
}

}  // namespace
}  // namespace policy

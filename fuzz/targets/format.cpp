// Fuzz target: the formatter (`policy fmt`). For any bytes that parse: formatting keeps every
// token, comments included (so it cannot change meaning); it is idempotent; and the formatted
// file compiles to the same diagnostics (codes and messages) as the original.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "PolicyLexer.h"
#include "antlr4-runtime.h"
#include "compiler/syntax/format.h"
#include "runtime/engine/engine.h"

namespace {

using namespace policy;

auto Tokens(const std::string& text) -> std::string {
  antlr4::ANTLRInputStream input{text};
  policy_grammar::PolicyLexer lexer(&input);
  lexer.removeErrorListeners();
  std::string out;
  for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken()) {
    if (t->getType() != policy_grammar::PolicyLexer::WS) {
      std::string s = t->getText();
      s.erase(s.find_last_not_of(" \t\r\f") + 1);
      out += std::to_string(t->getType()) + ":" + s + "\n";
    }
  }
  return out;
}

auto Format(const std::string& text) -> std::optional<std::string> {
  SourceManager sources;
  DiagnosticSink diags;
  const FileId id = sources.Add("fuzz.policy", text);
  return syntax::FormatSource(sources.Get(id), id, diags);
}

auto Codes(const std::string& text) -> std::string {
  EngineOptions options;
  options.include_stdlib = text.find("std") != std::string::npos;
  const LoadResult r = Engine::LoadSources({{"fuzz.policy", text}}, options);
  std::string out;
  for (const Diagnostic& d : r.diagnostics.Sorted()) {
    out += std::string(GetKindInfo(d.code).code) + " " + d.message + "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto once = Format(text);
  if (!once) {
    return 0;  // does not parse: the formatter refuses, which is what it must do
  }
  if (Tokens(*once) != Tokens(text)) {
    std::abort();  // a token changed, appeared or disappeared
  }
  if (Format(*once) != once) {
    std::abort();  // not idempotent
  }
  if (Codes(*once) != Codes(text)) {
    std::abort();  // formatting changed what the checker says
  }
  return 0;
}

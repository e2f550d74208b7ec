// What the server draws over the text beyond diagnostics: semantic tokens (every name coloured by
// what the checker decided it is, so a decision, a field, an enum value and a local differ even
// where a grammar cannot tell them apart), inlay hints (a parameter's value in effect, after each
// use), and code lenses (run a test; evaluate a decision on the example cases).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "lsp/convert.h"
#include "lsp/workspace.h"

namespace policy::lsp {

// The `legend` of the semanticTokensProvider capability.
auto SemanticTokensLegend() -> Json;
// textDocument/semanticTokens/full for the document of `params`.
auto SemanticTokens(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;

// textDocument/inlayHint: after every use of a `parameter` in the range, its value on the date.
// `value_of` gives a parameter's value (by qualified name) as text, or nullopt when not known.
auto InlayHints(const Snapshot& snapshot, const Json& params, PositionEncoding enc,
                const std::function<std::optional<std::string>(const std::string&)>& value_of,
                const std::string& as_of) -> Json;

// textDocument/codeLens: "run test" over each `test`, and "evaluate on the example cases" over
// each decision of one record parameter when there are example cases.
auto CodeLenses(const Snapshot& snapshot, const Json& params, PositionEncoding enc, size_t example_cases)
    -> Json;

// The commands the lenses run (workspace/executeCommand).
inline constexpr const char* kRunTestCommand = "policy.runTest";
inline constexpr const char* kEvaluateCommand = "policy.evaluate";

struct CommandResult {
  bool ok = true;
  std::string summary;  // one line, for window/showMessage
  std::string details;  // for the log
};
auto RunTestCommand(const Engine& engine, const std::string& module, const std::string& name, Date today)
    -> CommandResult;
auto EvaluateCommand(const Engine& engine, const std::string& decision,
                     const std::vector<std::pair<std::string, std::string>>& cases, Date today)
    -> CommandResult;

}  // namespace policy::lsp

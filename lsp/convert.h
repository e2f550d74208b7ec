// From the compiler's values to the protocol's JSON: ranges, locations, diagnostics, and the
// protocol's numbers for kinds of symbols and completions.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "lsp/symbol_index.h"
#include "lsp/text_positions.h"
#include "lsp/workspace.h"

namespace policy::lsp {

using Json = nlohmann::json;

// A JSON-RPC error answer: code and message.
class RequestError : public std::runtime_error {
 public:
  RequestError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  auto code() const -> int { return code_; }

 private:
  int code_;
};

inline constexpr int kInvalidParams = -32602;
inline constexpr int kRequestFailed = -32803;

// A whole number from 0 to UINT32_MAX (a line, a character), or a RequestError: a client's -1 or
// 1e300 must not be cast (a float out of range converts with undefined behaviour).
auto JsonUint(const Json& j, const char* what) -> uint32_t;
// A document version: any integer; nullopt for anything else.
auto JsonVersion(const Json& j) -> std::optional<int64_t>;

auto ToJson(Position p) -> Json;
auto ToJson(const Range& r) -> Json;
auto PositionFromJson(const Json& j) -> Position;  // throws nlohmann::json::exception when malformed
auto RangeFromJson(const Json& j) -> Range;

// The range of `span` in the snapshot's text, and its location (URI and range).
auto RangeOf(const Snapshot& snapshot, Span span, PositionEncoding enc) -> Json;
auto LocationOf(const Snapshot& snapshot, Span span, PositionEncoding enc) -> Json;

// The set's diagnostics by document URI, as `textDocument/publishDiagnostics` sends them: the
// message, then the help and notes the CLI prints under it; the code (E0203); secondary labels as
// related information; unused declarations tagged so editors fade them. A diagnostic about a file as a whole
// (it cannot be read) is put on its first line.
void AddDiagnostics(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources,
                    PositionEncoding enc, std::map<std::string, Json>& by_uri);

auto LspSymbolKind(SymbolKind k) -> int;      // SymbolKind of the protocol
auto LspCompletionKind(SymbolKind k) -> int;  // CompletionItemKind of the protocol

}  // namespace policy::lsp

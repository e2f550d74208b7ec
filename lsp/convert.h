// From the compiler's values to the protocol's JSON: ranges, locations, diagnostics, and the
// protocol's numbers for kinds of symbols and completions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "lsp/symbol_index.h"
#include "lsp/text_positions.h"
#include "lsp/workspace.h"

namespace policy::lsp {

using Json = nlohmann::json;

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

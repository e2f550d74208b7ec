// The requests answered by looking names up in the snapshot's SymbolIndex: hover, go to
// definition, find references, document highlights, rename, document and workspace symbols.
// Each takes the request's `params` and returns its `result` (JSON null where the protocol allows
// "nothing here"); a request that cannot be honoured throws RequestError.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "lsp/convert.h"
#include "lsp/workspace.h"

namespace policy::lsp {

// What hover may add that only the loaded engine knows: a parameter's value on a date.
struct HoverExtras {
  std::string value_in_effect;  // `20`, for the symbol hovered, or ""
  std::string as_of;            // the date it is in effect on
};

struct TextPosition {
  FileId file;
  uint32_t offset;
};

// The file and byte offset of a `textDocument` + `position` params object, when the document is
// in the snapshot.
auto ResolvePosition(const Snapshot& snapshot, const Json& params, PositionEncoding enc)
    -> std::optional<TextPosition>;

auto Hover(const Snapshot& snapshot, const Json& params, PositionEncoding enc,
           const std::function<HoverExtras(const Symbol&)>& extras) -> Json;
auto Definition(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;
auto References(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;
auto DocumentHighlight(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;
auto PrepareRename(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;
auto Rename(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;
auto DocumentSymbols(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;
auto WorkspaceSymbols(const Snapshot& snapshot, const Json& params, PositionEncoding enc) -> Json;

// Markdown describing a symbol (hover, and the documentation of a completion item).
auto DescribeSymbol(const Symbol& s, const std::string& json_path, const HoverExtras& extras) -> std::string;

}  // namespace policy::lsp

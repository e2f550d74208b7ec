// textDocument/completion. The text being typed rarely parses, so the place is read from the
// document's current text (the name being typed, a dotted chain before it, `==` or `in {` before
// it) and what the names mean from the latest snapshot in which the file did parse: the fields of
// the record a chain reaches after `.`, an enum's values where one is compared or listed, and
// otherwise what the module can name (its own declarations, what it imports, the locals of the
// declaration around the cursor, the builtin functions), the keywords and snippets for
// `decision`, `rule`, `exception`, `parameter` and `test`.
#pragma once

#include <string>

#include "lsp/convert.h"
#include "lsp/workspace.h"

namespace policy::lsp {

// `text` is the document now; `snapshot` the one its names are read from; `path` the document's.
auto Complete(const Snapshot& snapshot, const std::string& path, const std::string& text, uint32_t offset)
    -> Json;

}  // namespace policy::lsp

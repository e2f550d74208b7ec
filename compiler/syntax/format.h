// The canonical layout of a `.policy` file (`policy fmt`).
//
// The formatter re-prints the file's tokens, comments included, and changes only whitespace:
// the token sequence of the output is the input's, so formatting cannot change what a policy
// means. What it decides:
// - spacing within a line, from the two tokens on either side (`f(x)`, `a + b`, `List<Int>`,
//   `{red, green}` for a set, `Case { a: 1 }` for a record, `-x`, `all h in xs : h > 0`);
// - the indentation of every line, from the structure: declarations at column 0, the clauses of
//   a decision or parameter at 2, the `when`/`then`/`source`/`effective` lines of a rule at 4,
//   continuation lines 2 deeper than the line they continue, and 2 more per bracket left open;
//   comment lines take the indentation of the code that follows them;
// - line breaks: the author's are kept (runs of blank lines become one), and a declaration that
//   shares a line with the previous one is moved to a line of its own.
// The result is idempotent: the decisions above depend only on the tokens and on where lines
// break, which formatting preserves.
#pragma once

#include <optional>
#include <string>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"

namespace policy::syntax {

// The formatted text, or nullopt when the file does not parse (its errors are in `diags`; a file
// with syntax errors is never rewritten).
auto FormatSource(const SourceBuffer& source, FileId file, DiagnosticSink& diags)
    -> std::optional<std::string>;

}  // namespace policy::syntax

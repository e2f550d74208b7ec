// A deep copy of a syntax tree, with every span moved to another file id.
//
// The checker annotates a tree in place, so a tree can be checked once. A tool that checks the
// same text again and again (the language server re-checks the whole set on every edit, but only
// the edited file's text changed) keeps each file's tree as parsed and checks a copy: copying is
// far cheaper than running the ANTLR parser again. The copy's spans name `file`, the id the text
// has in the SourceManager of the new check.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace policy::syntax {

auto CloneModule(const ast::Module& module, FileId file) -> ast::Module;

// The same diagnostic with every span in `file` (a parse error kept with its tree).
auto MoveToFile(Diagnostic d, FileId file) -> Diagnostic;

}  // namespace policy::syntax

// A readable dump of the syntax tree of one file (`policy check --dump ast`), for seeing how the
// parser read a construct and for golden tests of the first stage.
//
// One node per line, children indented by two spaces under their parent; declarations in the
// order the tree keeps them (imports, enums, records, type aliases, constants, functions,
// decisions and parameters, tests), each group in source order. Declarations are
// written with their keyword (`decision`, `rule`, `test`, ...), expressions with their kind as
// in ast::ExprKind (`Binary >=`, `Field hours`, `IntLit 20`). Each line ends with the node's
// span as `line:col-line:col`, 1-based, the end being the position just after the node (as in
// the JSON diagnostics). The output depends only on the tree and the text, so it is the same on
// every run. It prints the tree as parsed: the checker's annotations (types, resolved names) are
// not shown.
#pragma once

#include <string>

#include "compiler/base/source.h"
#include "compiler/syntax/ast.h"

namespace policy::syntax {

// `module` must have been parsed from a file in `sources`.
auto PrintAst(const ast::Module& module, const SourceManager& sources) -> std::string;

}  // namespace policy::syntax

// Stage 1: `.policy` text -> AST.
//
// Parse() never fails outright. Problems are reported to `diags` (syntax errors with the span of
// the offending token and what was expected), and a module with syntax errors is returned with
// `has_syntax_errors` set and no declarations, so later stages skip it instead of reporting
// cascades. Before ANTLR sees the text, it is checked for size, valid UTF-8 (the ANTLR 4.9
// runtime throws on invalid UTF-8) and nesting depth (the generated recursive-descent parser
// would overflow the stack on deeply nested input).
#pragma once

#include <cstddef>

#include "compiler/base/source.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace policy::syntax {

struct ParseLimits {
  size_t max_source_bytes = 4 * 1024 * 1024;
  // Brackets plus prefix operators (`not`, `-`, `if`, `match`, aggregates) open at once within
  // one clause.
  int max_nesting = 256;
  // Levels of the parse tree. Bounds what the token scan cannot see: chains of binary and postfix
  // operators (`a and b and ... and z`), which parse iteratively but nest in the tree.
  int max_tree_depth = 1000;
};

auto Parse(const SourceBuffer& source, FileId file, DiagnosticSink& diags, const ParseLimits& limits = {})
    -> ast::Module;

}  // namespace policy::syntax

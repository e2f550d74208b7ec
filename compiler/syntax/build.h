// Parse tree -> AST. The only code besides parse.cpp that includes generated ANTLR headers.
// Called only on trees without syntax errors, so every context it visits is complete.
#pragma once

#include <functional>

#include "PolicyParser.h"
#include "antlr4-runtime.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace policy::syntax {

using ByteOffsetFn = std::function<uint32_t(size_t code_point_index)>;

void BuildModule(policy_grammar::PolicyParser::FileContext& tree, antlr4::CommonTokenStream& tokens,
                 FileId file, const ByteOffsetFn& offset, DiagnosticSink& diags, ast::Module& out);

}  // namespace policy::syntax

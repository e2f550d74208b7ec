// Bodies of constants, functions and tests: parameters and `let`s are bound to slots, and each
// body is checked against its declared type. Decisions are in rules.cpp: their bodies are rules,
// with a structure of their own to check.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <set>

namespace policy::check {

using ast::ExprKind;
using ast::RefKind;

void Checker::CheckBodies() {
  for (uint32_t i = 0; i < program_.consts.size(); ++i) {
    ConstType(i);
  }
  for (uint32_t i = 0; i < program_.functions.size(); ++i) {
    CheckFunction(i);
  }
  for (uint32_t i = 0; i < program_.decisions.size(); ++i) {
    CheckDecision(i);
  }
  for (TestInfo& t : program_.tests) {
    CheckTest(t);
  }
}

// Checks a constant on first use so constants may refer to each other in any order.
auto Checker::ConstType(uint32_t index) -> TypeId {
  ConstInfo& c = program_.consts[index];
  if (const_state_[index] == 2) {
    return c.type;
  }
  if (const_state_[index] == 1) {
    // Reported by the recursion check; break the loop here.
    return c.decl->type ? ResolveTypeRef(*c.decl->type, c.module) : TypeTable::kErrorId;
  }
  const_state_[index] = 1;
  Body body;
  body.module = c.module;
  body.owner = Node{SymKind::kConst, index};
  ast::ConstDecl& decl = const_cast<ast::ConstDecl&>(*c.decl);
  TypeId declared = TypeTable::kErrorId;
  if (decl.type) {
    declared = ResolveTypeRef(*decl.type, c.module);
    CheckExpr(decl.value, body, declared);
    Require(decl.value, declared, body, "the constant's declared type");
    c.type = declared;
  } else {
    c.type = CheckExpr(decl.value, body, TypeTable::kErrorId);
    if (c.type == TypeTable::kNoneId || c.type == TypeTable::kEmptyId) {
      diags_
          .Report(DiagCode::kCannotInfer, decl.value->span,
                  fmt::format("cannot tell the type of constant `{}`", decl.name.text), "type unknown")
          .WithHelp(fmt::format("give it a type: `const {}: Set<Text> = ...`", decl.name.text));
      c.type = TypeTable::kErrorId;
    }
  }
  const_state_[index] = 2;
  return c.type;
}

void Checker::CheckFunction(uint32_t index) {
  FunctionInfo& f = program_.functions[index];
  Body body;
  body.module = f.module;
  body.owner = Node{SymKind::kFunction, index};
  BindParams(f.decl->params, f.params, body);
  ast::FunctionDecl& decl = const_cast<ast::FunctionDecl&>(*f.decl);
  CheckExpr(decl.body, body, f.result);
  Require(decl.body, f.result, body, fmt::format("the result type of `{}`", decl.name.text));
  f.num_slots = body.max_slots;
}

void Checker::BindParams(const std::vector<ast::Param>& params, const std::vector<TypeId>& types,
                         Body& body) {
  std::set<std::string> seen;
  for (size_t i = 0; i < params.size(); ++i) {
    if (!seen.insert(params[i].name.text).second) {
      diags_.Report(DiagCode::kDuplicateDeclaration, params[i].name.span,
                    fmt::format("parameter `{}` is declared twice", params[i].name.text),
                    "declared again here");
    }
    body.Bind(params[i].name.text, types[i]);
  }
}

void Checker::CheckTest(TestInfo& t) {
  ast::TestDecl& decl = const_cast<ast::TestDecl&>(*t.decl);
  Body body;
  body.module = t.module;
  for (ast::TestStmt& s : decl.stmts) {
    if (s.is_let) {
      TypeId declared = TypeTable::kErrorId;
      if (s.type) {
        declared = ResolveTypeRef(*s.type, t.module);
      }
      TypeId type = CheckExpr(s.expr, body, declared);
      if (s.type) {
        Require(s.expr, declared, body, fmt::format("the declared type of `{}`", s.name.text));
        type = declared;
      }
      // Bind after checking the value: `let x = x with {...}` refers to the outer x.
      s.slot = body.Bind(s.name.text, type);
    } else if (s.expect_not_applicable) {
      const TypeId type = CheckExpr(s.expr, body, TypeTable::kErrorId);
      const bool is_decision_call =
          s.expr->kind == ExprKind::kCall && s.expr->kids[0]->ref.kind == RefKind::kDecision;
      if (!IsError(type) && !is_decision_call) {
        diags_
            .Report(DiagCode::kBadOperands, s.expr->span,
                    "only a decision or a parameter can be `not applicable`", "not a decision")
            .WithHelp("write `expect some_decision(case) is not applicable`");
      }
    } else {
      CheckExpr(s.expr, body, TypeTable::kBoolId);
      Require(s.expr, TypeTable::kBoolId, body, "an `expect`");
    }
  }
  t.num_slots = body.max_slots;
}

}  // namespace policy::check

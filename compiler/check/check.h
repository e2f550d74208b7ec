// Stage 2: AST -> checked program.
//
// Check() resolves modules, imports and names, checks types (annotating every expression with
// its TypeId and what its names refer to), and checks the structure of decisions: exception
// targets, exception cycles, effective periods, decisions that could never apply, and recursion
// (the language is total: no function, constant or decision may depend on itself). It reports
// every problem it finds; when `diags` has errors afterwards the program must not be lowered.
//
// The annotated modules are the "typed AST": the Program refers into them, so they must outlive
// it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/base/types.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/syntax/ast.h"

namespace policy::check {

// How deeply evaluating one declaration may nest, counting expressions along its deepest chain
// of calls (E0108). With the parser's limits this bounds the evaluator's stack before any case
// is evaluated: a few hundred bytes per level, far below a thread's default stack.
inline constexpr int kMaxEvaluationDepth = 10000;

struct ConstInfo {
  std::string name;  // qualified
  const ast::ConstDecl* decl = nullptr;
  TypeId type = TypeTable::kErrorId;
  uint32_t module = 0;
};

struct FunctionInfo {
  std::string name;
  const ast::FunctionDecl* decl = nullptr;
  std::vector<TypeId> params;
  TypeId result = TypeTable::kErrorId;
  uint32_t num_slots = 0;
  uint32_t module = 0;
};

struct RuleInfo {
  const ast::RuleDecl* decl = nullptr;
  std::vector<uint32_t> overrides;  // indices (into decl->rules) of rules it defeats, transitively
};

struct DecisionInfo {
  std::string name;
  const ast::DecisionDecl* decl = nullptr;
  std::vector<TypeId> params;
  TypeId result = TypeTable::kErrorId;
  uint32_t num_slots = 0;
  uint32_t module = 0;
  // Rules in evaluation order: every exception before the rules it overrides.
  std::vector<uint32_t> order;
  std::vector<RuleInfo> rules;  // parallel to decl->rules
};

struct TestInfo {
  std::string module_name;
  const ast::TestDecl* decl = nullptr;
  uint32_t num_slots = 0;
  uint32_t module = 0;
};

struct Program {
  TypeTable types;
  std::vector<std::string> module_names;
  std::vector<ConstInfo> consts;
  std::vector<FunctionInfo> functions;
  std::vector<DecisionInfo> decisions;
  std::vector<TestInfo> tests;

  auto FindDecision(std::string_view qualified) const -> std::optional<uint32_t>;
};

auto Check(std::vector<ast::Module>& modules, DiagnosticSink& diags) -> Program;

}  // namespace policy::check

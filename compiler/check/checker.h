// The Checker: the state of one run of Check() and the passes over it. Private to
// compiler/check/: only its .cpp files include this header; the rest of the compiler sees check.h.
//
// The passes share one class because they share one state: the symbol tables built first are
// read by every later pass, and checking expressions fills in the recursion graph. So the class
// is declared once, here, and its member functions are defined in one file per job:
//
//   check.cpp             the entry, Check(), and the order of the passes (Run)
//   resolve.cpp           modules, declarations, imports, import cycles, name lookup
//   declarations.cpp      type references, aliases, enums, records, signatures
//   bodies.cpp            bodies of constants, functions and tests
//   rules.cpp             decisions: default, rules, exceptions and their order, effective dates
//   expr.cpp              CheckExpr: dispatch, assignability and coercion, narrowing, branches
//   expr_names.cpp        names, enum values, module members, parameters, field reads
//   expr_operators.cpp    `and`, `or`, `??`, comparison, arithmetic, negation, `in`, `is`, durations
//   expr_calls.cpp        calls of functions, decisions and builtins
//   expr_collections.cpp  list and set literals, aggregates, `match`
//   expr_records.cpp      record literals and `with`
//   recursion.cpp         the use graph: recursion and evaluation depth
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "compiler/check/check.h"
#include "core/builtins.h"

namespace policy::check {

enum class SymKind : uint8_t { kEnum, kRecord, kAlias, kConst, kFunction, kDecision, kModule };

struct Symbol {
  SymKind kind;
  uint32_t id;  // TypeId (enum/record), alias index, const/function/decision index, module index
  Span span;
};

auto SymKindName(SymKind k) -> const char*;

struct ModuleScope {
  std::map<std::string, Symbol> own;       // declared in the module
  std::map<std::string, Symbol> imported;  // names and aliases brought in by imports
  std::vector<uint32_t> imports;           // imported module indices
  bool broken = false;                     // had syntax errors: suppress follow-on errors
};

struct Local {
  std::string name;
  uint32_t slot;
  TypeId type;
};

// Dependency-graph node for the recursion check.
struct Node {
  SymKind kind;
  uint32_t id;
  auto operator<(const Node& o) const -> bool { return std::tie(kind, id) < std::tie(o.kind, o.id); }
  auto operator==(const Node& o) const -> bool { return kind == o.kind && id == o.id; }
};

// Per-body state: locals in scope, slot allocation, optional paths proven non-none.
struct Body {
  uint32_t module = 0;
  std::optional<Node> owner;  // the declaration whose body this is (for the recursion graph)
  std::vector<Local> locals;
  uint32_t next_slot = 0;
  uint32_t max_slots = 0;
  std::vector<std::string> narrowed;
  int depth = 0;  // expressions open in CheckExpr: how deeply evaluation nests at this point

  auto Bind(std::string name, TypeId type) -> uint32_t {
    const uint32_t slot = next_slot++;
    max_slots = std::max(max_slots, next_slot);
    locals.push_back({std::move(name), slot, type});
    return slot;
  }
};

class Checker {
 public:
  Checker(std::vector<ast::Module>& modules, DiagnosticSink& diags) : modules_(modules), diags_(diags) {}

  // check.cpp
  auto Run() -> Program;

 private:
  // ---- modules and symbols (resolve.cpp) -----------------------------------------------------

  void RegisterModules();
  void Declare(uint32_t module, const std::string& name, Symbol sym);
  void DeclareSymbols();
  auto ModuleCandidates() const -> std::vector<std::string>;
  void ResolveImports();
  void DetectImportCycles();
  auto LookupGlobal(uint32_t module, const std::string& name) const -> std::optional<Symbol>;
  auto GlobalCandidates(uint32_t module) const -> std::vector<std::string>;

  // ---- types (declarations.cpp) --------------------------------------------------------------

  struct AliasState {
    ast::AliasDecl* decl;
    uint32_t module;
    TypeId type;
    int state;  // 0 unresolved, 1 resolving, 2 done
  };

  struct RecordDeclRef {
    TypeId type;
    ast::RecordDecl* decl;
    uint32_t module;
  };

  auto ResolveTypeRef(const ast::TypeRef& ref, uint32_t module) -> TypeId;
  auto ResolveAlias(uint32_t index) -> TypeId;
  void ResolveTypeDecls();
  void ResolveSignatures();

  // ---- bodies of constants, functions and tests (bodies.cpp) ---------------------------------

  void CheckBodies();
  auto ConstType(uint32_t index) -> TypeId;
  void CheckFunction(uint32_t index);
  void BindParams(const std::vector<ast::Param>& params, const std::vector<TypeId>& types, Body& body);
  void CheckTest(TestInfo& t);

  // ---- decisions and their rules (rules.cpp) -------------------------------------------------

  void CheckDecision(uint32_t index);
  void OrderRules(DecisionInfo& d, const std::vector<std::vector<uint32_t>>& targets);

  // ---- a parameter's values: one on every date of its timeline (timelines.cpp) ---------------

  void CheckParameterTimeline(const ast::DecisionDecl& decl);

  // ---- expressions: the core (expr.cpp) ------------------------------------------------------

  auto Name(TypeId t) const -> std::string { return program_.types.Name(t); }
  auto Kind(TypeId t) const -> Kind { return program_.types.kind(t); }
  auto IsError(TypeId t) const -> bool { return t == TypeTable::kErrorId; }

  auto Assignable(TypeId from, TypeId to) const -> bool;
  void Coerce(ast::ExprPtr& e, TypeId to);
  void Require(ast::ExprPtr& e, TypeId want, Body& body, const std::string& what);
  auto PathKey(const ast::Expr& e) const -> std::optional<std::string>;
  void CollectNarrowing(const ast::Expr& e, bool when_true, std::vector<std::string>& out);
  auto Narrow(ast::Expr& e, Body& body) -> TypeId;
  void AddEdge(Body& body, Node to);
  auto CheckExpr(ast::ExprPtr& ep, Body& body, TypeId expected) -> TypeId;
  auto Error(ast::Expr& e) -> TypeId;
  auto CheckExprInner(ast::ExprPtr& ep, Body& body, TypeId expected) -> TypeId;
  auto UnifyBranches(const std::vector<ast::ExprPtr*>& branches, TypeId expected, Body& body,
                     const std::string& what, Span span) -> TypeId;

  // ---- expressions: names and fields (expr_names.cpp) ----------------------------------------

  auto ExpectedEnum(TypeId expected) const -> std::optional<TypeId>;
  auto VariantIndex(TypeId enum_type, const std::string& name) const -> std::optional<uint32_t>;
  auto VisibleEnums(uint32_t module) const -> std::vector<TypeId>;
  auto CheckName(ast::Expr& e, Body& body, TypeId expected) -> TypeId;
  void ReportUnknownName(const ast::Expr& e, const Body& body, TypeId expected);
  auto ResolveSymbolAsValue(ast::Expr& e, const Symbol& sym, Body& body) -> TypeId;
  auto ReadParameter(ast::Expr& e, const Symbol& sym, Body& body) -> TypeId;
  auto RejectInConstant(Span span, const std::string& what, const Body& body) -> bool;
  auto IsNamespaceRef(const ast::Expr& e) const -> bool;
  auto CheckField(ast::Expr& e, Body& body, TypeId expected) -> TypeId;
  auto SourceText(const ast::Expr& e) const -> std::string;

  // ---- expressions: operators (expr_operators.cpp) -------------------------------------------

  // Whether a Duration is day-based or month-based, when the program text tells (DurationFamily).
  enum class Family : uint8_t { kUnknown, kDays, kMonths };

  auto CheckDuration(ast::Expr& e, Body& body) -> TypeId;
  auto CheckAsOfDate(ast::Expr& e, Body& body, TypeId expected) -> TypeId;
  auto CheckNeg(ast::Expr& e, Body& body, TypeId expected) -> TypeId;
  auto CheckIn(ast::Expr& e, Body& body) -> TypeId;
  auto CheckIs(ast::Expr& e, Body& body) -> TypeId;
  auto CheckBinary(ast::ExprPtr& ep, Body& body, TypeId expected) -> TypeId;
  auto SourceTextOrN(const ast::Expr& e) const -> std::string;
  auto NoneHelp(const ast::Expr& e, TypeId optional) const -> std::string;
  auto MismatchHelp(const ast::Expr& lhs, TypeId l, const ast::Expr& rhs, TypeId r) const -> std::string;
  auto DurationFamily(const ast::Expr& e, int depth = 0) const -> Family;
  void CheckDurationFamilies(const ast::Expr& e, const ast::Expr& a, const ast::Expr& b);

  // ---- expressions: calls (expr_calls.cpp) ---------------------------------------------------

  auto CheckCall(ast::Expr& e, Body& body) -> TypeId;
  void CheckArgs(ast::Expr& e, Body& body, const std::vector<TypeId>& params);
  auto CheckBuiltinCall(ast::Expr& e, const BuiltinInfo& b, Body& body) -> TypeId;
  auto FixedSignature(Builtin b) -> std::optional<std::vector<TypeId>>;
  auto FixedResult(Builtin b) -> TypeId;
  auto ArgList(const std::vector<TypeId>& args) const -> std::string;

  // ---- expressions: collections and `match` (expr_collections.cpp) ---------------------------

  auto CheckCollectionLit(ast::Expr& e, Body& body, TypeId expected) -> TypeId;
  auto CheckAggregate(ast::Expr& e, Body& body, TypeId expected) -> TypeId;
  auto CheckMatch(ast::Expr& e, Body& body, TypeId expected) -> TypeId;

  // ---- expressions: records (expr_records.cpp) -----------------------------------------------

  auto CheckRecordLit(ast::Expr& e, Body& body) -> TypeId;
  auto CheckWith(ast::Expr& e, Body& body) -> TypeId;

  // ---- recursion (recursion.cpp) -------------------------------------------------------------

  auto NodeName(Node n) const -> std::string;
  auto NodeSpan(Node n) const -> Span;
  auto DetectRecursion() -> bool;
  void LimitEvaluationDepth();

  std::vector<ast::Module>& modules_;
  DiagnosticSink& diags_;
  Program program_;
  std::vector<ModuleScope> scopes_;
  std::map<std::string, uint32_t> module_index_;
  std::map<TypeId, ast::EnumDecl*> enum_decls_;
  std::vector<RecordDeclRef> record_decls_;
  std::vector<AliasState> aliases_;
  std::vector<int> const_state_;
  std::map<Node, std::set<Node>> edges_;
  // Deepest expression in each declaration, and the depth of its deepest call to each callee.
  std::map<Node, int> own_depth_;
  std::map<std::pair<Node, Node>, int> call_depth_;
};

}  // namespace policy::check

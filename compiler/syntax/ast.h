// The abstract syntax tree: what the policy writer wrote, with a source span on every node and
// no ANTLR types. Built by compiler/syntax/build.cpp; annotated in place by the checker (the
// `type` and `ref` fields), which makes it the "typed AST" that compiler/ir/lower.cpp reads.
//
// Expressions use one node struct with a kind tag rather than a class per kind: the tree is
// small, built once, and every pass switches over the kind anyway.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/base/types.h"
#include "core/date.h"
#include "core/decimal.h"
#include "core/duration.h"

namespace policy::ast {

enum class ExprKind : uint8_t {
  kError,  // placeholder after a syntax error; has type kError and reports nothing more
  kIntLit,
  kDecimalLit,  // also a percentage: `20%` is 0.20 with text "20%"
  kTextLit,
  kDateLit,
  kBoolLit,
  kNoneLit,
  kSome,       // some(kids[0])
  kName,       // text
  kField,      // kids[0].text
  kCall,       // kids[0](kids[1..])
  kWith,       // kids[0] with { paths[i] = kids[i+1] }
  kDuration,   // kids[0] <unit>
  kAsOfDate,   // kids[0] as of kids[1]: kids[0] evaluated with the evaluation date kids[1]
  kNeg,        // -kids[0]
  kNot,        // not kids[0]
  kBinary,     // kids[0] op kids[1]
  kIn,         // kids[0] [not] in kids[1]
  kIs,         // kids[0] is [not] none|some
  kIf,         // if kids[0] then kids[1] else kids[2]
  kAggregate,  // agg text in kids[0] : kids[1]
  kRecordLit,  // text { names[i]: kids[i] }
  kListLit,
  kSetLit,
  kMatch,  // match kids[0] { arms }
};

enum class BinOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAnd,
  kOr,
  kCoalesce
};
enum class AggKind : uint8_t { kAll, kAny, kCount, kSum, kMin, kMax, kFilter, kMap };

auto BinOpText(BinOp op) -> const char*;
auto AggText(AggKind agg) -> const char*;

// What a name (or a field access, or a call's callee) turned out to mean. Set by the checker.
enum class RefKind : uint8_t {
  kUnresolved,
  kLocal,        // id = local slot (parameters first, then bindings)
  kConst,        // id = constant index in the program
  kFunction,     // id = function index
  kDecision,     // id = decision index
  kBuiltin,      // id = builtin index (see compiler/check/builtins.h)
  kEnumVariant,  // id = enum TypeId, index = ordinal
  kField,        // index = field index in the record (for kField exprs)
  kModule,       // id = module index (only as the object of a field access)
  kType,         // id = TypeId (only as the object of a field access: Mode.full_time)
  kAsOf,         // the evaluation date
};

struct Ref {
  RefKind kind = RefKind::kUnresolved;
  uint32_t id = 0;
  uint32_t index = 0;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Pattern {
  enum class Kind : uint8_t { kNone, kSome, kName, kWildcard } kind = Kind::kWildcard;
  std::string name;  // variant name, or the binding of some(x)
  Span span;
  uint32_t ordinal = 0;  // resolved variant (checker)
  uint32_t slot = 0;     // binding slot for some(x) (checker)
};

struct MatchArm {
  std::vector<Pattern> patterns;
  ExprPtr body;
  Span span;
};

struct Expr {
  ExprKind kind = ExprKind::kError;
  Span span;
  std::string text;  // name, field, record type name, text literal value, aggregate variable,
                     // a kDecimalLit written as a percentage (`20%`; empty otherwise)
  Span name_span;    // span of `text` where it is a name (field access, aggregate variable)
  BinOp op = BinOp::kAdd;
  AggKind agg = AggKind::kAll;
  DurationUnit unit = DurationUnit::kDays;
  bool negated = false;   // `not in`, `is not`
  bool is_some = false;   // `is some` vs `is none`
  int64_t int_value = 0;  // kIntLit, kBoolLit
  Decimal decimal_value;
  Date date_value;
  std::vector<ExprPtr> kids;
  std::vector<std::string> names;               // record literal field names
  std::vector<std::vector<std::string>> paths;  // `with` update paths
  std::vector<Span> name_spans;                 // spans of names/paths
  std::vector<MatchArm> arms;

  // ---- filled by the checker ----
  TypeId type = TypeTable::kErrorId;
  Ref ref;
  uint32_t slot = 0;                    // kAggregate: the variable's slot
  std::vector<uint32_t> field_indices;  // kRecordLit: field index per kid; kWith: flattened paths
  std::vector<uint32_t> path_lengths;   // kWith: length of each path in field_indices
};

struct TypeRef {
  enum class Kind : uint8_t { kNamed, kOptional, kGeneric } kind = Kind::kNamed;
  std::vector<std::string> path;  // kNamed: qualified name; kGeneric: {"List"} or {"Set"}
  std::unique_ptr<TypeRef> arg;   // kOptional, kGeneric
  Span span;
  // ---- filled by the checker ----
  // kNamed: the name of the declaration (enum, record or alias) the path resolved to; invalid for
  // the built-in types and for paths that did not resolve. Read by the language server.
  mutable Span declaration;
};

struct Name {
  std::string text;
  Span span;
};

struct Doc {
  std::string text;  // the `///` lines joined with '\n', markers stripped
};

struct EnumDecl {
  Name name;
  std::vector<Name> variants;
  std::vector<std::string> json_names;  // parallel to variants; "" = same as the name
  Doc doc;
};

struct FieldDecl {
  Name name;
  TypeRef type;
  bool may_be_absent = false;  // `name?: T`: the key may be left out of JSON input (then none)
  Doc doc;
  bool fixed = false;  // `fixed name: T`: a fact of record (FieldInfo::fixed)
};

struct RecordDecl {
  Name name;
  std::vector<FieldDecl> fields;
  Doc doc;
};

struct AliasDecl {
  Name name;
  TypeRef type;
  Doc doc;
};

struct ConstDecl {
  Name name;
  std::optional<TypeRef> type;
  ExprPtr value;
  Doc doc;
};

struct Param {
  Name name;
  TypeRef type;
};

struct FunctionDecl {
  Name name;
  std::vector<Param> params;
  TypeRef result;
  ExprPtr body;
  Doc doc;
};

struct SourceRef {
  std::string text;  // "ImmD FAQ Q20"
  Span span;
};

struct RuleDecl {
  bool is_exception = false;
  Name name;
  Span span;                  // the whole rule
  std::vector<Name> targets;  // exception ... to targets
  std::optional<SourceRef> source;
  std::optional<Date> effective_from;
  std::optional<Date> effective_until;
  Span effective_span;
  ExprPtr when;  // null = always
  ExprPtr then;
  Doc doc;
};

struct DecisionDecl {
  Name name;
  std::vector<Param> params;
  TypeRef result;
  std::optional<SourceRef> source;
  // `effective from D1 until D2` on the decision itself: outside this period the decision is not
  // applicable, whatever its rules and default say.
  std::optional<Date> effective_from;
  std::optional<Date> effective_until;
  Span effective_span;
  // A `parameter` is kept as a decision without parameters whose rules are its versions
  // (`version_1`, ...): referring to it by name calls it. See docs/language.md, "Parameters".
  bool is_parameter = false;
  ExprPtr default_value;  // null = no default
  Span default_span;
  std::vector<RuleDecl> rules;
  Doc doc;
  Span span;
};

struct TestStmt {
  bool is_let = false;
  bool expect_not_applicable = false;  // `expect f(x) is not applicable`
  Name name;                           // let
  uint32_t slot = 0;                   // let: the slot the checker bound it to
  std::optional<TypeRef> type;
  ExprPtr expr;
  Span span;
};

struct TestDecl {
  std::string name;
  Span span;  // the test's name literal
  std::optional<Date> as_of;
  std::vector<TestStmt> stmts;
};

struct Import {
  std::vector<std::string> path;
  Span span;  // the module path
  std::optional<Name> alias;
  std::vector<Name> names;
};

struct Module {
  FileId file = kNoFile;
  std::vector<std::string> path;  // {"hk", "employment"}
  Span path_span;
  std::vector<Import> imports;
  std::vector<EnumDecl> enums;
  std::vector<RecordDecl> records;
  std::vector<AliasDecl> aliases;
  std::vector<ConstDecl> consts;
  std::vector<FunctionDecl> functions;
  std::vector<DecisionDecl> decisions;
  std::vector<TestDecl> tests;
  bool has_syntax_errors = false;

  auto QualifiedName() const -> std::string;
};

auto JoinPath(const std::vector<std::string>& path) -> std::string;

}  // namespace policy::ast

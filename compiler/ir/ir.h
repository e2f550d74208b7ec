// Stage 3 output: a small typed IR. A decision is a function of its inputs: names are gone
// (locals are slots, fields are indices, enum values are ordinals, calls name a function or
// decision by index), every node carries its type, and constant collections are pre-built
// values. The interpreter (runtime/vm) compiles this to closures; the optional LLVM backend
// (runtime/jit) lowers the same IR to machine code.
//
// Rules keep what explanations need: their name, citation, effective period, and their `when`
// condition split into top-level conjuncts with the source text of each, so an explanation can
// say which condition failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/base/types.h"
#include "core/period.h"
#include "core/value.h"

namespace policy::ir {

enum class Op : uint8_t {
  kConst,         // constants[a]
  kLocal,         // slot a
  kGlobal,        // global constant a (evaluated once when the program is loaded)
  kAsOf,          // the evaluation date
  kField,         // kids[0].fields[a]
  kCallFunction,  // functions[a](kids...)
  kCallDecision,  // decisions[a](kids...)
  kCallBuiltin,   // builtin a (Builtin) (kids...)
  kNot,
  kNeg,
  kAnd,            // short-circuit
  kOr,             // short-circuit
  kArith,          // kids[0] arith kids[1]; the operand types select the operation
  kCompare,        // kids[0] cmp kids[1] (<, <=, >, >=)
  kEq,             // structural equality; b = 1 for `!=`
  kIn,             // kids[0] in kids[1]; b = 1 for `not in`
  kIsNone,         // kids[0] is none; b = 1 for `is some`
  kCoalesce,       // kids[0] ?? kids[1]
  kIf,             // if kids[0] then kids[1] else kids[2]
  kDuration,       // kids[0] (Int) as a duration of unit a (DurationUnit)
  kRecord,         // a record of type `type` with fields kids (in declaration order)
  kWith,           // kids[0] with paths[i] = kids[i + 1]
  kList,           // list of kids
  kSet,            // set of kids
  kAggregate,      // agg over kids[0] binding slot a, body kids[1]
  kMatchEnum,      // kids[0] scrutinee (enum, maybe optional); table[ordinal] = arm; b = arm for none
  kMatchOptional,  // kids[0] scrutinee; kids[1] none arm; kids[2] some arm with slot a bound
  kAsOfDate,       // kids[0] as of kids[1]: kids[1] first, then kids[0] with kids[1] as the
                   // evaluation date (kAsOf, effective periods, decisions it calls); a = the
                   // constant holding kids[1]'s source text, for explanations
};

enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod };
enum class CmpOp : uint8_t { kLt, kLe, kGt, kGe };
enum class AggOp : uint8_t { kAll, kAny, kCount, kSum, kMin, kMax, kFilter, kMap };

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  Op op = Op::kConst;
  TypeId type = TypeTable::kErrorId;
  Span span;
  uint32_t a = 0;
  uint32_t b = 0;
  ArithOp arith = ArithOp::kAdd;
  CmpOp cmp = CmpOp::kLt;
  AggOp agg = AggOp::kAll;
  std::vector<NodePtr> kids;
  std::vector<std::vector<uint32_t>> paths;  // kWith
  std::vector<uint32_t> table;               // kMatchEnum: ordinal -> index into kids (arm bodies)
  std::vector<uint32_t> bind;                // kMatchEnum: per arm, the slot `some(x)` binds, or none
};

struct Function {
  std::string name;
  std::string doc;  // its `///` comment: explanations show it where a condition calls it
  Span span;        // the name in its declaration
  uint32_t num_params = 0;
  uint32_t num_slots = 0;
  TypeId result = TypeTable::kErrorId;
  NodePtr body;
};

struct Conjunct {
  NodePtr cond;
  std::string text;  // source text, for explanations
  Span span;
};

struct Rule {
  std::string name;
  bool is_exception = false;
  std::vector<std::string> targets;  // names of the rules it is an exception to
  std::string source;                // citation, may be empty
  std::string doc;
  Period effective;
  Span effective_span;         // the `effective` clause, invalid when it has none (for lint)
  std::vector<Conjunct> when;  // all must hold; empty = always
  NodePtr then;
  std::vector<uint32_t> overrides;  // indices into Decision::rules of the rules it defeats
  Span span;
};

struct Decision {
  std::string name;  // qualified
  std::string doc;
  std::string source;
  std::vector<std::string> param_names;
  std::vector<TypeId> params;
  TypeId result = TypeTable::kErrorId;
  uint32_t num_slots = 0;
  NodePtr default_value;    // null when the decision has no default
  std::vector<Rule> rules;  // evaluation order: every exception before the rules it overrides
  Span span;
  bool is_parameter = false;  // declared with `parameter`; its rules are its versions
  Period effective;           // its own `effective` period, unbounded when it has none
  Span effective_span;        // the clause itself, invalid when it has none (for lint)
  bool in_effect_with_rules = false;

  // When the decision is in effect (docs/language.md, "Effective dating"), as the periods whose
  // union it is: its own `effective` period if it has one; otherwise, when every one of its rules
  // that is not an exception is effective-dated, the periods of those rules; otherwise one
  // unbounded period. Outside them the decision is not applicable, and the default is not used.
  // The one definition: the interpreter (InEffect), the JIT and the Z3 encoding all start here.
  auto InEffectPeriods() const -> std::vector<Period>;
  auto InEffect(Date as_of) const -> bool;
  // The selection both of the above make, period by period without building a list (InEffect
  // runs on every evaluation): calls `visit` on each period until it returns true.
  template <typename Visit>
  auto AnyInEffectPeriod(Visit visit) const -> bool {
    if (effective.IsBounded() || !in_effect_with_rules) {
      return visit(effective);
    }
    for (const Rule& r : rules) {
      if (!r.is_exception && visit(r.effective)) {
        return true;
      }
    }
    return false;
  }
};

struct Global {
  std::string name;
  Span span;  // the name in its declaration
  TypeId type = TypeTable::kErrorId;
  NodePtr init;
};

struct TestStep {
  bool is_let = false;
  bool expect_not_applicable = false;  // `expect f(x) is not applicable`: expr is the call
  uint32_t slot = 0;                   // let
  NodePtr expr;                        // let value, or the expectation
  // For `expect a == b`, the two sides, so a failure can show both values.
  NodePtr lhs;
  NodePtr rhs;
  std::string text;
  Span span;
};

struct Test {
  std::string module;
  std::string name;
  std::optional<Date> as_of;
  uint32_t num_slots = 0;
  std::vector<TestStep> steps;
  Span span;
};

struct Program {
  TypeTable types;
  Arena arena;  // owns constant texts and collections
  std::vector<Value> constants;
  std::vector<Global> globals;  // in dependency order: each only uses earlier ones
  std::vector<Function> functions;
  std::vector<Decision> decisions;
  std::vector<Test> tests;

  auto FindDecision(std::string_view name) const -> std::optional<uint32_t>;
};

}  // namespace policy::ir

// The SMT encoding behind `policy analyze` and the proofs of `policy diff`: the typed IR of a
// decision, turned into Z3 terms over a symbolic case record and a symbolic evaluation date.
//
// What is exact and what is not (docs/analysis.md, "What the encoding covers"):
// - Exact: Bool; Int as mathematical integers; Decimal as its integer coefficient (value * 10^18,
//   core/decimal.h) with every operation's rounding;
//   Date as a day number, with year/month/day_of_month/weekday and month arithmetic encoded by
//   the calendar's own formulas; Duration; enums; records; optionals; sets of enum values;
//   lists whose items are known (literals, constants, and what `filter`/`map` make of them);
//   Text equality; functions (inlined), decisions called from decisions, exceptions, defaults
//   and effective dating.
// - Approximated: lists and sets read from the case record (their items are not modelled),
//   text ordering and length, the working-day and `dates_every` builtins. Such
//   a subterm becomes a fresh unconstrained variable ("havoc"), and the reason is recorded.
//
// Havoc over-approximates: every real evaluation is one of the values the formula allows. So
// "unsatisfiable" is a proof even when the encoding is partial, while a satisfying model may be
// spurious, which is why every witness is re-evaluated by the interpreter before it is shown.
// Evaluation errors (overflow, a conflict inside a called decision, a needed decision that does
// not apply) are not modelled: proofs hold for the cases that evaluate without an error.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace policy::analysis {

// A symbolic value, shaped like the runtime value of its type.
struct Sym {
  enum class Shape : uint8_t {
    kScalar,  // e = {value}: Bool, Int, Int (Decimal coefficient), Int day number (Date), Int ordinal (enum),
              // String
    kDuration,  // e = {day_based, base count (days or months)}
    kOptional,  // e = {is_some}; items = {payload}, or empty for a bare `none`
    kRecord,    // items = fields
    kList,      // items = the possible items, e = whether each is present (a known list)
    kEnumSet,   // e = one membership bit per enum value
    kOpaque,    // a list or set read from the case: its items are not modelled
  };
  Shape shape = Shape::kOpaque;
  std::vector<z3::expr> e;
  std::vector<Sym> items;
};

// One variable group of the symbolic case record: where it sits in the JSON and how to print it.
struct InputLeaf {
  std::vector<std::string> path;  // JSON keys from the record's root
  const TypeTable* types = nullptr;
  TypeId type = 0;  // in `types`; for kOptional leaves, the optional type
  Sym sym;          // for an optional leaf: Shape::kOptional with the flag (payload leaves follow)
};

// The symbolic inputs: the case record and the evaluation date. Shared by the encoders of two
// policy versions (`policy diff`), so the same JSON path means the same variables in both.
class InputPool {
 public:
  // `as_of`: the evaluation date, or nullopt for a symbolic one (years 1-9999).
  InputPool(z3::context& ctx, std::optional<int32_t> as_of_days);

  auto ctx() -> z3::context& { return ctx_; }
  auto as_of() const -> const z3::expr& { return as_of_; }
  auto as_of_is_symbolic() const -> bool { return symbolic_as_of_; }
  // The symbolic case record (or part of it) of `type` at `path`. A path first made with a
  // different shape (an enum with other values, say) gets its own variables: two versions then
  // do not share it, which over-approximates, and every witness is re-evaluated anyway.
  auto Input(const TypeTable& types, TypeId type, const std::vector<std::string>& path) -> Sym;
  // Constraints every real input satisfies (dates within years 1-9999, enum ordinals in range).
  auto domain() const -> const std::vector<z3::expr>& { return domain_; }
  auto leaves() const -> const std::vector<InputLeaf>& { return leaves_; }
  // A number no other variable of this pool's context has: auxiliary variables of different
  // encoders (the old and new version in `policy diff`) must never share a name, or Z3 would
  // take them for one variable.
  auto NextId() -> uint32_t { return fresh_++; }

 private:
  auto Make(const TypeTable& types, TypeId type, const std::vector<std::string>& path, int depth) -> Sym;
  z3::context& ctx_;
  z3::expr as_of_;
  bool symbolic_as_of_ = false;
  std::map<std::string, Sym> by_key_;
  std::vector<InputLeaf> leaves_;
  std::vector<z3::expr> domain_;
  uint32_t fresh_ = 0;
};

// A decision, encoded: when each rule applies (in effect, conditions hold, not defeated by an
// exception that applies) and what it gives.
struct DecisionSym {
  z3::expr in_effect;
  std::vector<z3::expr> applies;
  std::vector<Sym> values;
  std::optional<Sym> default_value;
  z3::expr defined;  // in effect, and some rule applies or there is a default
  Sym value;         // the result when defined (the first applying rule, else the default)
  std::set<std::string> approximations;  // why the encoding of this decision is partial
};

class Encoder {
 public:
  // `calendar_from`: another encoder whose calendar decompositions this one reuses, so that two
  // versions of a policy reading the same date get the same year/month/day variables (their
  // definitions are then added to `calendar_from`'s axioms).
  Encoder(const ir::Program& program, InputPool& pool, Encoder* calendar_from = nullptr);

  // The decision applied to the pool's case record (its single record parameter), or with no
  // arguments for a parameter. nullopt when it takes other parameters.
  auto Decision(uint32_t decision) -> const DecisionSym*;
  auto Eq(const Sym& a, const Sym& b) -> z3::expr;
  // Definitions of auxiliary variables (calendar decompositions); always satisfiable.
  auto axioms() const -> const std::vector<z3::expr>& { return axioms_; }
  auto program() const -> const ir::Program& { return program_; }
  // Approximations made outside any decision (comparing two results with Eq).
  auto approximations_outside() const -> const std::set<std::string>& { return outside_; }

 private:
  struct Frame {
    std::map<uint32_t, Sym> slots;
  };
  struct Memo {
    Sym value;
    std::set<std::string> reasons;
  };
  struct Civil {
    z3::expr y, m, d;
  };

  auto CallDecision(uint32_t d, const std::vector<Sym>& args) -> const DecisionSym&;
  auto EncodeDecision(uint32_t d, const std::vector<Sym>& args) -> DecisionSym;
  auto Encode(const ir::Node& n, Frame& f) -> Sym;
  auto EncodeRaw(const ir::Node& n, Frame& f) -> Sym;
  auto EncodeBuiltin(const ir::Node& n, Frame& f) -> Sym;
  auto EncodeAggregate(const ir::Node& n, Frame& f) -> Sym;
  auto EncodeArith(const ir::Node& n, Frame& f) -> Sym;
  auto EncodeCompare(const ir::Node& n, Frame& f) -> Sym;
  auto EncodeIn(const ir::Node& n, Frame& f) -> Sym;

  auto Normalize(Sym s, TypeId type) -> Sym;
  auto Ite(const z3::expr& c, const Sym& a, const Sym& b) -> Sym;
  auto FromValue(TypeId type, const Value& v) -> Sym;
  auto Default(TypeId type) -> Sym;
  auto Havoc(TypeId type, const std::string& why) -> Sym;
  auto AsKnownList(const Sym& s) -> std::optional<Sym>;
  auto Less(const Sym& a, const Sym& b, TypeId type) -> std::optional<z3::expr>;

  auto CivilOf(const z3::expr& days) -> Civil;
  auto DaysFromCivil(const z3::expr& y, const z3::expr& m, const z3::expr& d) -> z3::expr;
  auto DaysInMonth(const z3::expr& y, const z3::expr& m) -> z3::expr;
  auto AddMonths(const z3::expr& days, const z3::expr& n, bool overflow) -> z3::expr;
  auto FloorDiv(const z3::expr& p, const z3::expr& q) -> z3::expr;
  // p / q rounded half-to-even to an integer; `positive` when q is known to be.
  auto RoundHalfEven(const z3::expr& p, const z3::expr& q, bool positive) -> z3::expr;
  auto Key(const std::vector<Sym>& args) -> std::string;
  void Approximate(const std::string& why);
  void MergeReasons(const std::set<std::string>& reasons);
  auto Plain(const Sym& s) -> Sym;
  auto Scalar(const z3::expr& e) -> Sym;
  auto Fresh(const z3::sort& sort) -> z3::expr;

  const ir::Program& program_;
  InputPool& pool_;
  z3::context& ctx_;
  // The date being encoded for: the pool's evaluation date, or inside `e as of d` the encoding
  // of d. Part of every call's memo key (Key).
  z3::expr as_of_;
  std::vector<z3::expr> axioms_;
  std::map<std::string, DecisionSym> decision_memo_;
  std::map<std::string, Memo> call_memo_;  // functions and globals, by arguments
  std::map<unsigned, Civil> civil_memo_;
  Encoder* calendar_;  // whose civil_memo_ and axioms_ the calendar uses: this one, or another
  std::vector<std::set<std::string>*> reasons_;
  std::set<std::string> outside_;  // the decisions being encoded, innermost last
  int depth_ = 0;
};

}  // namespace policy::analysis

// The SMT encoding of expressions: the IR's operators, comparisons, membership, aggregates over
// lists (quantifiers, filter, map, sum) and everything else a decision's rules are built from.
#include "runtime/analysis/encode.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/builtins.h"
#include "runtime/analysis/encode_support.h"

namespace policy::analysis {

// ---- expressions -------------------------------------------------------------------------------

auto Encoder::Encode(const ir::Node& n, Frame& f) -> Sym {
  return Normalize(EncodeRaw(n, f), n.type);
}

auto Encoder::EncodeRaw(const ir::Node& n, Frame& f) -> Sym {
  const TypeTable& types = program_.types;
  using ir::Op;
  switch (n.op) {
    case Op::kConst:
      return FromValue(n.type, program_.constants[n.a]);
    case Op::kLocal: {
      if (auto it = f.slots.find(n.a); it != f.slots.end()) {
        return it->second;
      }
      return Havoc(n.type, "a local the encoder did not bind");
    }
    case Op::kGlobal: {
      const std::string key = fmt::format("g{}", n.a);
      if (auto it = call_memo_.find(key); it != call_memo_.end()) {
        MergeReasons(it->second.reasons);
        return it->second.value;
      }
      std::set<std::string> reasons;
      reasons_.push_back(&reasons);
      Frame empty;
      Sym v = Encode(*program_.globals[n.a].init, empty);
      reasons_.pop_back();
      MergeReasons(reasons);
      call_memo_.emplace(key, Memo{v, reasons});
      return v;
    }
    case Op::kAsOf:
      return MkScalar(as_of_);
    case Op::kAsOfDate: {
      // The subexpression over the date d, exactly as the evaluation date is encoded (and as the
      // interpreter sets it): d is encoded first, on the date in force.
      const Sym date = Plain(Encode(*n.kids[1], f));
      if (date.shape != Shape::kScalar || date.e.empty()) {
        return Havoc(n.type, "`as of` a date the encoding does not model");
      }
      const z3::expr saved = as_of_;
      as_of_ = date.e[0];
      Sym v = Encode(*n.kids[0], f);
      as_of_ = saved;
      return v;
    }
    case Op::kField: {
      const Sym base = Plain(Encode(*n.kids[0], f));
      if (base.shape == Shape::kRecord && n.a < base.items.size()) {
        return base.items[n.a];
      }
      return Havoc(n.type, "a field of a value the encoding does not model");
    }
    case Op::kCallFunction: {
      std::vector<Sym> args;
      for (const auto& k : n.kids) {
        args.push_back(Encode(*k, f));
      }
      const std::string key = fmt::format("f{}:{}", n.a, Key(args));
      if (auto it = call_memo_.find(key); it != call_memo_.end()) {
        MergeReasons(it->second.reasons);
        return it->second.value;
      }
      const ir::Function& fn = program_.functions[n.a];
      if (++depth_ > 256) {
        --depth_;
        return Havoc(n.type, "calls nested too deeply to encode");
      }
      std::set<std::string> reasons;
      reasons_.push_back(&reasons);
      Frame callee;
      for (size_t i = 0; i < args.size(); ++i) {
        callee.slots[static_cast<uint32_t>(i)] = args[i];
      }
      Sym v = Normalize(Encode(*fn.body, callee), fn.result);
      reasons_.pop_back();
      --depth_;
      MergeReasons(reasons);
      call_memo_.emplace(key, Memo{v, reasons});
      return v;
    }
    case Op::kCallDecision: {
      std::vector<Sym> args;
      for (const auto& k : n.kids) {
        args.push_back(Encode(*k, f));
      }
      return CallDecision(n.a, args).value;
    }
    case Op::kCallBuiltin:
      return EncodeBuiltin(n, f);
    case Op::kNot:
      return MkScalar(!Plain(Encode(*n.kids[0], f)).e[0]);
    case Op::kNeg: {
      const Sym x = Plain(Encode(*n.kids[0], f));
      if (x.shape == Shape::kDuration) {
        Sym s = x;
        s.e[1] = -x.e[1];
        return s;
      }
      if (x.shape == Shape::kScalar) {
        return MkScalar(-x.e[0]);
      }
      return Havoc(n.type, "negation of a value the encoding does not model");
    }
    case Op::kAnd:
      return MkScalar(Plain(Encode(*n.kids[0], f)).e[0] && Plain(Encode(*n.kids[1], f)).e[0]);
    case Op::kOr:
      return MkScalar(Plain(Encode(*n.kids[0], f)).e[0] || Plain(Encode(*n.kids[1], f)).e[0]);
    case Op::kArith:
      return EncodeArith(n, f);
    case Op::kCompare:
      return EncodeCompare(n, f);
    case Op::kEq: {
      const TypeId t = types.Unwrap(n.kids[0]->type);
      z3::expr eq = ctx_.bool_val(false);
      if (types.kind(t) == Kind::kSet && !IsEnumSet(types, t)) {
        eq = Fresh(ctx_.bool_sort());
        Approximate("equality of sets of values other than enum values");
      } else {
        eq = Eq(Encode(*n.kids[0], f), Encode(*n.kids[1], f));
      }
      return MkScalar(n.b != 0 ? !eq : eq);
    }
    case Op::kIn:
      return EncodeIn(n, f);
    case Op::kIsNone: {
      const Sym x = Encode(*n.kids[0], f);
      const z3::expr some = x.shape == Shape::kOptional ? x.e[0] : ctx_.bool_val(true);
      return MkScalar(n.b != 0 ? some : !some);
    }
    case Op::kCoalesce: {
      const Sym a = Encode(*n.kids[0], f);
      const Sym b = Encode(*n.kids[1], f);
      if (a.shape != Shape::kOptional) {
        return a;
      }
      if (a.items.empty()) {
        return b;
      }
      return Ite(a.e[0], a.items[0], b);
    }
    case Op::kIf: {
      const z3::expr c = Plain(Encode(*n.kids[0], f)).e[0];
      return Ite(c, Encode(*n.kids[1], f), Encode(*n.kids[2], f));
    }
    case Op::kDuration: {
      const z3::expr count = Plain(Encode(*n.kids[0], f)).e[0];
      const auto unit = static_cast<DurationUnit>(n.a);
      Sym s;
      s.shape = Shape::kDuration;
      s.e.push_back(ctx_.bool_val(unit == DurationUnit::kDays || unit == DurationUnit::kWeeks));
      s.e.push_back(unit == DurationUnit::kWeeks   ? count * 7
                    : unit == DurationUnit::kYears ? count * 12
                                                   : count);
      return s;
    }
    case Op::kRecord: {
      Sym s;
      s.shape = Shape::kRecord;
      const auto& fields = types.record_info(types.Unwrap(n.type)).fields;
      for (size_t i = 0; i < n.kids.size(); ++i) {
        Sym v = Encode(*n.kids[i], f);
        s.items.push_back(i < fields.size() ? Normalize(std::move(v), fields[i].type) : v);
      }
      return s;
    }
    case Op::kWith: {
      Sym rec = Plain(Encode(*n.kids[0], f));
      for (size_t i = 0; i < n.paths.size(); ++i) {
        Sym value = Encode(*n.kids[i + 1], f);
        Sym* at = &rec;
        bool ok = true;
        for (size_t k = 0; k < n.paths[i].size(); ++k) {
          if (at->shape == Shape::kOptional && !at->items.empty()) {
            at = &at->items[0];
          }
          if (at->shape != Shape::kRecord || n.paths[i][k] >= at->items.size()) {
            ok = false;
            break;
          }
          at = &at->items[n.paths[i][k]];
        }
        if (!ok) {
          return Havoc(n.type, "`with` on a value the encoding does not model");
        }
        if (at->shape == Shape::kOptional && value.shape != Shape::kOptional) {
          value = MkOptional(ctx_.bool_val(true), value);
        }
        *at = value;
      }
      return rec;
    }
    case Op::kList:
    case Op::kSet: {
      Sym s;
      s.shape = Shape::kList;
      const TypeId elem = types.kind(types.Unwrap(n.type)) == Kind::kEmpty
                              ? TypeTable::kErrorId
                              : types.Get(types.Unwrap(n.type)).elem;
      for (const auto& k : n.kids) {
        Sym v = Encode(*k, f);
        s.items.push_back(elem == TypeTable::kErrorId ? v : Normalize(std::move(v), elem));
        s.e.push_back(ctx_.bool_val(true));
      }
      return s;
    }
    case Op::kAggregate:
      return EncodeAggregate(n, f);
    case Op::kMatchEnum: {
      const Sym scrut = Encode(*n.kids[0], f);
      const bool optional = scrut.shape == Shape::kOptional;
      const Sym value = Plain(scrut);
      if (value.shape != Shape::kScalar && !(optional && scrut.items.empty())) {
        return Havoc(n.type, "a match on a value the encoding does not model");
      }
      const z3::expr some = optional ? scrut.e[0] : ctx_.bool_val(true);
      std::optional<Sym> result;
      for (size_t arm = n.kids.size() - 1; arm >= 1; --arm) {
        std::vector<z3::expr> conds;
        for (size_t ord = 0; ord < n.table.size(); ++ord) {
          if (n.table[ord] == arm && value.shape == Shape::kScalar) {
            conds.push_back(some && value.e[0] == ctx_.int_val(static_cast<int>(ord)));
          }
        }
        if (optional && n.b == arm) {
          conds.push_back(!some);
        }
        if (arm < n.bind.size() && n.bind[arm] != UINT32_MAX) {
          f.slots[n.bind[arm]] = scrut;
        }
        Sym body = Encode(*n.kids[arm], f);
        result = result ? Ite(AnyOf(ctx_, conds), body, *result) : body;
      }
      return result ? *result : Havoc(n.type, "an empty match");
    }
    case Op::kMatchOptional: {
      const Sym scrut = Encode(*n.kids[0], f);
      const Sym none_arm = Encode(*n.kids[1], f);
      if (scrut.shape != Shape::kOptional) {
        if (n.a != UINT32_MAX) {
          f.slots[n.a] = scrut;
        }
        return Encode(*n.kids[2], f);
      }
      if (scrut.items.empty()) {
        return none_arm;
      }
      if (n.a != UINT32_MAX) {
        f.slots[n.a] = scrut.items[0];
      }
      return Ite(scrut.e[0], Encode(*n.kids[2], f), none_arm);
    }
  }
  return Havoc(n.type, "an operation the encoding does not model");
}

auto Encoder::EncodeArith(const ir::Node& n, Frame& f) -> Sym {
  const TypeTable& types = program_.types;
  const TypeId l = n.kids[0]->type;
  const TypeId r = n.kids[1]->type;
  const Sym a = Plain(Encode(*n.kids[0], f));
  const Sym b = Plain(Encode(*n.kids[1], f));
  using ir::ArithOp;
  if ((l == TypeTable::kIntId && r == TypeTable::kIntId) ||
      (l == TypeTable::kDecimalId && r == TypeTable::kDecimalId)) {
    const z3::expr& x = a.e[0];
    const z3::expr& y = b.e[0];
    const bool dec = l == TypeTable::kDecimalId;
    switch (n.arith) {
      case ArithOp::kAdd:
        return MkScalar(x + y);
      case ArithOp::kSub:
        return MkScalar(x - y);
      case ArithOp::kMul:
        // Decimals: the coefficients' product is in units of 10^-36; back to 10^-18, rounded.
        return MkScalar(dec ? RoundHalfEven(x * y, DecimalUnit(ctx_), true) : x * y);
      case ArithOp::kDiv:
        return MkScalar(dec ? RoundHalfEven(x * DecimalUnit(ctx_), y, false) : FloorDiv(x, y));
      case ArithOp::kMod:
        // The same for both: the floored remainder of two coefficients is exact.
        return MkScalar(x - y * FloorDiv(x, y));
    }
  }
  if (l == TypeTable::kDateId && r == TypeTable::kDurationId && b.shape == Shape::kDuration) {
    const z3::expr count = n.arith == ArithOp::kSub ? -b.e[1] : b.e[1];
    const z3::expr& date = a.e[0];
    if (b.e[0].is_true()) {
      return MkScalar(date + count);
    }
    if (b.e[0].is_false()) {
      return MkScalar(AddMonths(date, count, false));
    }
    return MkScalar(z3::ite(b.e[0], date + count, AddMonths(date, count, false)));
  }
  if (l == TypeTable::kDurationId && r == TypeTable::kIntId && a.shape == Shape::kDuration) {
    Sym s = a;
    s.e[1] = a.e[1] * b.e[0];
    return s;
  }
  if (l == TypeTable::kTextId) {
    return MkScalar(z3::concat(a.e[0], b.e[0]));
  }
  if (types.kind(l) == Kind::kSet) {
    if (a.shape == Shape::kEnumSet && b.shape == Shape::kEnumSet && a.e.size() == b.e.size()) {
      Sym s;
      s.shape = Shape::kEnumSet;
      for (size_t i = 0; i < a.e.size(); ++i) {
        s.e.push_back(n.arith == ArithOp::kAdd ? (a.e[i] || b.e[i]) : (a.e[i] && !b.e[i]));
      }
      return s;
    }
    return Havoc(n.type, "union or difference of sets of values other than enum values");
  }
  if (a.shape == Shape::kList && b.shape == Shape::kList) {
    Sym s = a;
    s.items.insert(s.items.end(), b.items.begin(), b.items.end());
    s.e.insert(s.e.end(), b.e.begin(), b.e.end());
    return s;
  }
  return Havoc(n.type, "concatenation of lists read from the case record");
}

auto Encoder::EncodeCompare(const ir::Node& n, Frame& f) -> Sym {
  const Sym a = Encode(*n.kids[0], f);
  const Sym b = Encode(*n.kids[1], f);
  using ir::CmpOp;
  std::optional<z3::expr> out;
  switch (n.cmp) {
    case CmpOp::kLt:
      out = Less(a, b, n.kids[0]->type);
      break;
    case CmpOp::kGt:
      out = Less(b, a, n.kids[0]->type);
      break;
    case CmpOp::kLe:
      if (auto gt = Less(b, a, n.kids[0]->type)) {
        out = !*gt;
      }
      break;
    case CmpOp::kGe:
      if (auto lt = Less(a, b, n.kids[0]->type)) {
        out = !*lt;
      }
      break;
  }
  if (!out) {
    return Havoc(n.type, fmt::format("ordering of {} values", program_.types.Name(n.kids[0]->type)));
  }
  return MkScalar(*out);
}

auto Encoder::EncodeIn(const ir::Node& n, Frame& f) -> Sym {
  const Sym x = Encode(*n.kids[0], f);
  const Sym coll = Plain(Encode(*n.kids[1], f));
  const z3::expr some = x.shape == Shape::kOptional ? x.e[0] : ctx_.bool_val(true);
  const Sym v = Plain(x);
  if (x.shape == Shape::kOptional && x.items.empty()) {
    return MkScalar(ctx_.bool_val(n.b != 0));
  }
  std::optional<z3::expr> found;
  if (coll.shape == Shape::kEnumSet && v.shape == Shape::kScalar) {
    std::vector<z3::expr> hits;
    for (size_t j = 0; j < coll.e.size(); ++j) {
      hits.push_back(coll.e[j] && v.e[0] == ctx_.int_val(static_cast<int>(j)));
    }
    found = AnyOf(ctx_, hits);
  } else if (coll.shape == Shape::kList) {
    std::vector<z3::expr> hits;
    for (size_t i = 0; i < coll.items.size(); ++i) {
      hits.push_back(coll.e[i] && Eq(coll.items[i], v));
    }
    found = AnyOf(ctx_, hits);
  }
  if (!found) {
    Approximate("membership in a list read from the case record");
    found = Fresh(ctx_.bool_sort());
  }
  const z3::expr in = some && *found;
  return MkScalar(n.b != 0 ? !in : in);
}

auto Encoder::EncodeAggregate(const ir::Node& n, Frame& f) -> Sym {
  const TypeTable& types = program_.types;
  const Sym coll_sym = Plain(Encode(*n.kids[0], f));
  const auto coll = AsKnownList(coll_sym);
  if (!coll) {
    return Havoc(n.type, "quantifiers and aggregates over lists read from the case record");
  }
  std::vector<Sym> bodies;
  for (size_t i = 0; i < coll->items.size(); ++i) {
    f.slots[n.a] = coll->items[i];
    bodies.push_back(Encode(*n.kids[1], f));
  }
  const auto& present = coll->e;
  using ir::AggOp;
  std::vector<z3::expr> terms;
  switch (n.agg) {
    case AggOp::kAll:
      for (size_t i = 0; i < bodies.size(); ++i) {
        terms.push_back(z3::implies(present[i], Plain(bodies[i]).e[0]));
      }
      return MkScalar(AllOf(ctx_, terms));
    case AggOp::kAny:
      for (size_t i = 0; i < bodies.size(); ++i) {
        terms.push_back(present[i] && Plain(bodies[i]).e[0]);
      }
      return MkScalar(AnyOf(ctx_, terms));
    case AggOp::kCount:
      for (size_t i = 0; i < bodies.size(); ++i) {
        terms.push_back(z3::ite(present[i] && Plain(bodies[i]).e[0], ctx_.int_val(1), ctx_.int_val(0)));
      }
      return MkScalar(Sum(ctx_, terms));
    case AggOp::kSum: {
      for (size_t i = 0; i < bodies.size(); ++i) {
        const Sym b = Plain(bodies[i]);
        if (b.shape != Shape::kScalar) {
          return Havoc(n.type, "a sum of values the encoding does not model");
        }
        terms.push_back(z3::ite(present[i], b.e[0], ctx_.int_val(0)));
      }
      return MkScalar(Sum(ctx_, terms));
    }
    case AggOp::kMin:
    case AggOp::kMax: {
      const TypeId elem = types.Unwrap(n.type);
      Sym best = Default(elem);
      z3::expr seen = ctx_.bool_val(false);
      for (size_t i = 0; i < bodies.size(); ++i) {
        const Sym b = Plain(bodies[i]);
        const auto better = n.agg == AggOp::kMin ? Less(b, best, elem) : Less(best, b, elem);
        if (!better) {
          return Havoc(n.type, fmt::format("min/max of {} values", types.Name(elem)));
        }
        const z3::expr take = present[i] && (!seen || *better);
        best = Ite(take, b, best);
        seen = seen || present[i];
      }
      if (types.IsOptional(n.type)) {
        return MkOptional(seen, best);
      }
      return best;
    }
    case AggOp::kFilter: {
      Sym s;
      s.shape = Shape::kList;
      for (size_t i = 0; i < bodies.size(); ++i) {
        s.items.push_back(coll->items[i]);
        s.e.push_back(present[i] && Plain(bodies[i]).e[0]);
      }
      return s;
    }
    case AggOp::kMap: {
      Sym s;
      s.shape = Shape::kList;
      s.items = bodies;
      s.e = present;
      return s;
    }
  }
  return Havoc(n.type, "an aggregate the encoding does not model");
}

}  // namespace policy::analysis

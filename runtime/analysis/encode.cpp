// The SMT encoding's core: the symbolic case record (InputPool), decisions with their rules,
// exceptions and effective periods, and the shapes of symbolic values (normalising, choosing,
// comparing, constants, defaults, havoc). Expressions are in encode_expr.cpp, the calendar and
// the builtins in encode_builtins.cpp; encode.h says what the encoding covers.
#include "runtime/analysis/encode.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/builtins.h"
#include "runtime/analysis/encode_support.h"

namespace policy::analysis {

// ---- the symbolic case record ------------------------------------------------------------------

InputPool::InputPool(z3::context& ctx, std::optional<int32_t> as_of_days)
    : ctx_(ctx), as_of_(ctx.int_val(as_of_days.value_or(0))), symbolic_as_of_(!as_of_days) {
  if (symbolic_as_of_) {
    as_of_ = ctx.int_const("as_of");
    domain_.push_back(as_of_ >= ctx.int_val(MinDay()) && as_of_ <= ctx.int_val(MaxDay()));
  }
}

auto InputPool::Input(const TypeTable& types, TypeId type, const std::vector<std::string>& path) -> Sym {
  return Make(types, type, path, 0);
}

// Leaves are keyed by their JSON path and a signature of their type (an enum's values, say), so
// two versions of a policy share a variable exactly when they read the same JSON the same way.
auto InputPool::Make(const TypeTable& types, TypeId type, const std::vector<std::string>& path, int depth)
    -> Sym {
  std::string where = "$";
  for (const auto& p : path) {
    where += "." + p;
  }
  const Kind kind = types.kind(type);
  if (depth > 16) {
    return Opaque();
  }
  if (kind == Kind::kRecord) {
    Sym s;
    s.shape = Shape::kRecord;
    for (const FieldInfo& f : types.record_info(type).fields) {
      std::vector<std::string> sub = path;
      sub.push_back(f.name);
      s.items.push_back(Make(types, f.type, sub, depth + 1));
    }
    return s;
  }
  std::string signature = types.Name(type);
  if (kind == Kind::kEnum || IsEnumSet(types, type)) {
    const TypeId e = kind == Kind::kEnum ? type : types.Get(type).elem;
    for (const auto& n : types.enum_info(e).json_names) {
      signature += "," + n;
    }
  }
  const std::string key = where + "|" + signature;
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    if (kind != Kind::kOptional) {
      return it->second;
    }
  }
  const std::string name = fmt::format("{}#{}", where, fresh_++);
  Sym s;
  switch (kind) {
    case Kind::kBool:
      s = MkScalar(ctx_.bool_const(name.c_str()));
      break;
    case Kind::kInt: {
      s = MkScalar(ctx_.int_const(name.c_str()));
      domain_.push_back(s.e[0] >= ctx_.int_val(kMinInt) && s.e[0] <= ctx_.int_val(kMaxInt));
      break;
    }
    case Kind::kDecimal: {
      // A decimal is its integer coefficient (core/decimal.h): value * 10^18.
      s = MkScalar(ctx_.int_const(name.c_str()));
      const z3::expr limit = DecimalLimit(ctx_);
      domain_.push_back(s.e[0] < limit && s.e[0] > -limit);
      break;
    }
    case Kind::kText:
      s = MkScalar(ctx_.constant(name.c_str(), ctx_.string_sort()));
      break;
    case Kind::kDate:
      s = MkScalar(ctx_.int_const(name.c_str()));
      domain_.push_back(s.e[0] >= ctx_.int_val(MinDay()) && s.e[0] <= ctx_.int_val(MaxDay()));
      break;
    case Kind::kDuration: {
      s.shape = Shape::kDuration;
      s.e.push_back(ctx_.bool_const((name + ".days").c_str()));
      s.e.push_back(ctx_.int_const((name + ".count").c_str()));
      domain_.push_back(s.e[1] >= ctx_.int_val(kMinInt) && s.e[1] <= ctx_.int_val(kMaxInt));
      break;
    }
    case Kind::kEnum: {
      s = MkScalar(ctx_.int_const(name.c_str()));
      const auto n = static_cast<int>(types.enum_info(type).variants.size());
      domain_.push_back(s.e[0] >= 0 && s.e[0] < ctx_.int_val(n));
      break;
    }
    case Kind::kOptional: {
      // The flag is shared by key; the payload is made (and shared) by its own key below.
      z3::expr flag = ctx_.bool_const((name + ".some").c_str());
      if (auto it = by_key_.find(key); it != by_key_.end()) {
        flag = it->second.e[0];
      } else {
        by_key_.emplace(key, MkOptional(flag, std::nullopt));
        leaves_.push_back({path, &types, type, MkOptional(flag, std::nullopt)});
      }
      return MkOptional(flag, Make(types, types.Get(type).elem, path, depth + 1));
    }
    case Kind::kSet:
      if (IsEnumSet(types, type)) {
        s.shape = Shape::kEnumSet;
        const auto& variants = types.enum_info(types.Get(type).elem).variants;
        for (size_t i = 0; i < variants.size(); ++i) {
          s.e.push_back(ctx_.bool_const(fmt::format("{}[{}]", name, variants[i]).c_str()));
        }
        break;
      }
      return Opaque();
    default:
      return Opaque();
  }
  by_key_.emplace(key, s);
  leaves_.push_back({path, &types, type, s});
  return s;
}

// ---- the encoder -------------------------------------------------------------------------------

Encoder::Encoder(const ir::Program& program, InputPool& pool, Encoder* calendar_from)
    : program_(program),
      pool_(pool),
      ctx_(pool.ctx()),
      as_of_(pool.as_of()),
      calendar_(calendar_from != nullptr ? calendar_from : this) {}

auto Encoder::Scalar(const z3::expr& e) -> Sym {
  return MkScalar(e);
}

auto Encoder::Fresh(const z3::sort& sort) -> z3::expr {
  return ctx_.constant(fmt::format("havoc#{}", pool_.NextId()).c_str(), sort);
}

void Encoder::Approximate(const std::string& why) {
  if (!reasons_.empty()) {
    reasons_.back()->insert(why);
  } else {
    outside_.insert(why);
  }
}

void Encoder::MergeReasons(const std::set<std::string>& reasons) {
  if (!reasons_.empty()) {
    reasons_.back()->insert(reasons.begin(), reasons.end());
  }
}

auto Encoder::Key(const std::vector<Sym>& args) -> std::string {
  std::string key;
  const auto add = [&](const auto& self, const Sym& s) -> void {
    key += static_cast<char>('a' + static_cast<int>(s.shape));
    for (const auto& e : s.e) {
      key += std::to_string(e.id()) + ",";
    }
    key += "(";
    for (const auto& i : s.items) {
      self(self, i);
    }
    key += ")";
  };
  for (const Sym& a : args) {
    add(add, a);
  }
  // A call answers for a date too (`e as of d`): the same arguments on another date are
  // another call.
  key += "@" + std::to_string(as_of_.id());
  return key;
}

auto Encoder::Decision(uint32_t decision) -> const DecisionSym* {
  const ir::Decision& d = program_.decisions[decision];
  if (d.params.empty()) {
    return &CallDecision(decision, {});
  }
  if (d.params.size() == 1 && program_.types.kind(d.params[0]) == Kind::kRecord) {
    return &CallDecision(decision, {pool_.Input(program_.types, d.params[0], {})});
  }
  return nullptr;
}

auto Encoder::CallDecision(uint32_t d, const std::vector<Sym>& args) -> const DecisionSym& {
  const std::string key = fmt::format("{}:{}", d, Key(args));
  if (auto it = decision_memo_.find(key); it != decision_memo_.end()) {
    MergeReasons(it->second.approximations);
    return it->second;
  }
  std::set<std::string> reasons;
  reasons_.push_back(&reasons);
  DecisionSym out = EncodeDecision(d, args);
  reasons_.pop_back();
  out.approximations = reasons;
  MergeReasons(reasons);
  return decision_memo_.emplace(key, std::move(out)).first->second;
}

auto Encoder::EncodeDecision(uint32_t d, const std::vector<Sym>& args) -> DecisionSym {
  const ir::Decision& id = program_.decisions[d];
  const z3::expr as_of = as_of_;
  // Period::Contains, as a term over the symbolic date.
  const auto in_period = [&](const Period& p) {
    z3::expr c = ctx_.bool_val(true);
    if (p.from) {
      c = c && as_of >= ctx_.int_val(p.from->days());
    }
    if (p.until) {
      c = c && as_of <= ctx_.int_val(p.until->days());
    }
    return c.simplify();
  };
  std::vector<z3::expr> in_effect_terms;
  for (const Period& p : id.InEffectPeriods()) {
    in_effect_terms.push_back(in_period(p));
  }
  DecisionSym out{
      AnyOf(ctx_, in_effect_terms).simplify(), {}, {}, std::nullopt, ctx_.bool_val(false), Sym{}, {}};
  if (++depth_ > 256) {
    Approximate("calls nested too deeply to encode");
    out.defined = ctx_.bool_const(fmt::format("deep#{}", pool_.NextId()).c_str());
    out.value = Havoc(id.result, "calls nested too deeply to encode");
    --depth_;
    return out;
  }
  Frame frame;
  for (size_t i = 0; i < args.size(); ++i) {
    frame.slots[static_cast<uint32_t>(i)] = args[i];
  }
  std::vector<z3::expr> masked(id.rules.size(), ctx_.bool_val(false));
  for (size_t i = 0; i < id.rules.size(); ++i) {
    const ir::Rule& r = id.rules[i];
    std::vector<z3::expr> conds{out.in_effect, !masked[i], in_period(r.effective)};
    for (const ir::Conjunct& c : r.when) {
      conds.push_back(Encode(*c.cond, frame).e[0]);
    }
    out.applies.push_back(AllOf(ctx_, conds).simplify());
    out.values.push_back(Encode(*r.then, frame));
    out.values.back() = Normalize(out.values.back(), id.result);
    for (const uint32_t o : r.overrides) {
      if (o > i) {
        masked[o] = masked[o] || out.applies.back();
      }
    }
  }
  if (id.default_value) {
    out.default_value = Normalize(Encode(*id.default_value, frame), id.result);
  }
  Sym value = out.default_value ? *out.default_value : Default(id.result);
  for (size_t i = id.rules.size(); i-- > 0;) {
    value = Ite(out.applies[i], out.values[i], value);
  }
  out.value = value;
  out.defined =
      (out.in_effect && (id.default_value ? ctx_.bool_val(true) : AnyOf(ctx_, out.applies))).simplify();
  --depth_;
  return out;
}

// ---- shapes ------------------------------------------------------------------------------------

auto Encoder::Plain(const Sym& s) -> Sym {
  if (s.shape == Shape::kOptional && !s.items.empty()) {
    return s.items[0];
  }
  return s;
}

auto Encoder::Normalize(Sym s, TypeId type) -> Sym {
  const TypeTable& types = program_.types;
  const Kind kind = types.kind(type);
  if (kind == Kind::kOptional) {
    if (s.shape != Shape::kOptional) {
      return MkOptional(ctx_.bool_val(true), Normalize(std::move(s), types.Get(type).elem));
    }
    if (!s.items.empty()) {
      s.items[0] = Normalize(std::move(s.items[0]), types.Get(type).elem);
    }
    return s;
  }
  if (IsEnumSet(types, type) && s.shape == Shape::kList) {
    const size_t n = types.enum_info(types.Get(type).elem).variants.size();
    Sym bits;
    bits.shape = Shape::kEnumSet;
    for (size_t j = 0; j < n; ++j) {
      std::vector<z3::expr> hits;
      for (size_t i = 0; i < s.items.size(); ++i) {
        hits.push_back(s.e[i] && Plain(s.items[i]).e[0] == ctx_.int_val(static_cast<int>(j)));
      }
      bits.e.push_back(AnyOf(ctx_, hits).simplify());
    }
    return bits;
  }
  return s;
}

auto Encoder::Ite(const z3::expr& c, const Sym& a, const Sym& b) -> Sym {
  if (a.shape != b.shape) {
    if (a.shape == Shape::kOptional && b.shape != Shape::kOpaque) {
      return Ite(c, a, MkOptional(ctx_.bool_val(true), b));
    }
    if (b.shape == Shape::kOptional && a.shape != Shape::kOpaque) {
      return Ite(c, MkOptional(ctx_.bool_val(true), a), b);
    }
    return Opaque();
  }
  Sym out;
  out.shape = a.shape;
  switch (a.shape) {
    case Shape::kScalar:
    case Shape::kDuration:
    case Shape::kEnumSet:
      if (a.e.size() != b.e.size()) {
        return Opaque();
      }
      for (size_t i = 0; i < a.e.size(); ++i) {
        if (!z3::eq(a.e[i].get_sort(), b.e[i].get_sort())) {
          return Opaque();
        }
        out.e.push_back(z3::ite(c, a.e[i], b.e[i]));
      }
      return out;
    case Shape::kOptional:
      out.e.push_back(z3::ite(c, a.e[0], b.e[0]));
      if (!a.items.empty() && !b.items.empty()) {
        out.items.push_back(Ite(c, a.items[0], b.items[0]));
      } else if (!a.items.empty()) {
        out.items.push_back(a.items[0]);
      } else if (!b.items.empty()) {
        out.items.push_back(b.items[0]);
      }
      return out;
    case Shape::kRecord:
      if (a.items.size() != b.items.size()) {
        return Opaque();
      }
      for (size_t i = 0; i < a.items.size(); ++i) {
        out.items.push_back(Ite(c, a.items[i], b.items[i]));
      }
      return out;
    case Shape::kList: {
      const size_t n = std::max(a.items.size(), b.items.size());
      for (size_t i = 0; i < n; ++i) {
        const z3::expr pa = i < a.items.size() ? a.e[i] : ctx_.bool_val(false);
        const z3::expr pb = i < b.items.size() ? b.e[i] : ctx_.bool_val(false);
        out.e.push_back(z3::ite(c, pa, pb));
        if (i < a.items.size() && i < b.items.size()) {
          out.items.push_back(Ite(c, a.items[i], b.items[i]));
        } else {
          out.items.push_back(i < a.items.size() ? a.items[i] : b.items[i]);
        }
      }
      return out;
    }
    case Shape::kOpaque:
      return Opaque();
  }
  return Opaque();
}

auto Encoder::Eq(const Sym& a, const Sym& b) -> z3::expr {
  if (a.shape != b.shape) {
    if (a.shape == Shape::kOptional && b.shape != Shape::kOpaque) {
      return a.items.empty() ? ctx_.bool_val(false) : (a.e[0] && Eq(a.items[0], b));
    }
    if (b.shape == Shape::kOptional && a.shape != Shape::kOpaque) {
      return Eq(b, a);
    }
    Approximate("equality of values the encoding does not model");
    return Fresh(ctx_.bool_sort());
  }
  switch (a.shape) {
    case Shape::kScalar:
      if (!z3::eq(a.e[0].get_sort(), b.e[0].get_sort())) {
        return ctx_.bool_val(false);
      }
      return a.e[0] == b.e[0];
    case Shape::kDuration:
      return a.e[0] == b.e[0] && a.e[1] == b.e[1];
    case Shape::kOptional: {
      const z3::expr both_none = !a.e[0] && !b.e[0];
      if (a.items.empty() || b.items.empty()) {
        return both_none;
      }
      return both_none || (a.e[0] && b.e[0] && Eq(a.items[0], b.items[0]));
    }
    case Shape::kRecord: {
      std::vector<z3::expr> parts;
      for (size_t i = 0; i < a.items.size() && i < b.items.size(); ++i) {
        parts.push_back(Eq(a.items[i], b.items[i]));
      }
      return AllOf(ctx_, parts);
    }
    case Shape::kEnumSet: {
      std::vector<z3::expr> parts;
      for (size_t i = 0; i < a.e.size() && i < b.e.size(); ++i) {
        parts.push_back(a.e[i] == b.e[i]);
      }
      return AllOf(ctx_, parts);
    }
    case Shape::kList: {
      // Two known lists are equal when they have as many items present and the k-th present
      // item of one equals the k-th present item of the other. Exact; quadratic in the lengths,
      // which are those of list literals and what `filter`/`map` make of them.
      if (a.items.size() * b.items.size() > 1024) {
        Approximate("equality of long lists");
        return Fresh(ctx_.bool_sort());
      }
      const auto positions = [&](const Sym& l) {
        std::vector<z3::expr> pos;
        z3::expr count = ctx_.int_val(0);
        for (size_t i = 0; i < l.items.size(); ++i) {
          pos.push_back(count);
          count = count + z3::ite(l.e[i], ctx_.int_val(1), ctx_.int_val(0));
        }
        pos.push_back(count);
        return pos;
      };
      const std::vector<z3::expr> pa = positions(a);
      const std::vector<z3::expr> pb = positions(b);
      std::vector<z3::expr> parts{pa.back() == pb.back()};
      for (size_t i = 0; i < a.items.size(); ++i) {
        for (size_t j = 0; j < b.items.size(); ++j) {
          parts.push_back(z3::implies(a.e[i] && b.e[j] && pa[i] == pb[j], Eq(a.items[i], b.items[j])));
        }
      }
      return AllOf(ctx_, parts).simplify();
    }
    case Shape::kOpaque:
      Approximate("equality of lists read from the case record");
      return Fresh(ctx_.bool_sort());
  }
  return Fresh(ctx_.bool_sort());
}

auto Encoder::FromValue(TypeId type, const Value& v) -> Sym {
  const TypeTable& types = program_.types;
  switch (types.kind(type)) {
    case Kind::kOptional:
      if (v.is_none()) {
        return MkOptional(ctx_.bool_val(false), Default(types.Get(type).elem));
      }
      return MkOptional(ctx_.bool_val(true), FromValue(types.Get(type).elem, v));
    case Kind::kNone:
      return MkOptional(ctx_.bool_val(false), std::nullopt);
    case Kind::kBool:
      return MkScalar(ctx_.bool_val(v.as_bool()));
    case Kind::kInt:
      return MkScalar(ctx_.int_val(v.as_int()));
    case Kind::kDecimal:
      return MkScalar(ctx_.int_val(v.as_decimal().CoefficientText().c_str()));
    case Kind::kText:
      return MkScalar(ctx_.string_val(std::string(v.as_text())));
    case Kind::kDate:
      return MkScalar(ctx_.int_val(v.as_date().days()));
    case Kind::kDuration: {
      const Duration d = v.as_duration();
      Sym s;
      s.shape = Shape::kDuration;
      s.e.push_back(ctx_.bool_val(d.IsDayBased()));
      s.e.push_back(ctx_.int_val(d.BaseCount().value_or(0)));
      return s;
    }
    case Kind::kEnum:
      return MkScalar(ctx_.int_val(static_cast<int>(v.as_enum())));
    case Kind::kRecord: {
      Sym s;
      s.shape = Shape::kRecord;
      const auto& fields = types.record_info(type).fields;
      const auto items = v.items();
      for (size_t i = 0; i < fields.size() && i < items.size(); ++i) {
        s.items.push_back(FromValue(fields[i].type, items[i]));
      }
      return s;
    }
    case Kind::kList:
    case Kind::kSet: {
      Sym s;
      s.shape = Shape::kList;
      for (const Value& item : v.items()) {
        s.items.push_back(FromValue(types.Get(type).elem, item));
        s.e.push_back(ctx_.bool_val(true));
      }
      return Normalize(std::move(s), type);
    }
    case Kind::kEmpty: {
      Sym s;
      s.shape = Shape::kList;
      return s;
    }
    default:
      return Opaque();
  }
}

auto Encoder::Default(TypeId type) -> Sym {
  const TypeTable& types = program_.types;
  switch (types.kind(type)) {
    case Kind::kOptional:
      return MkOptional(ctx_.bool_val(false), Default(types.Get(type).elem));
    case Kind::kRecord: {
      Sym s;
      s.shape = Shape::kRecord;
      for (const FieldInfo& f : types.record_info(type).fields) {
        s.items.push_back(Default(f.type));
      }
      return s;
    }
    case Kind::kText:
      return MkScalar(ctx_.string_val(""));
    case Kind::kDuration:
      return FromValue(type, Value::Dur({0, DurationUnit::kDays}));
    case Kind::kDecimal:
      return MkScalar(ctx_.int_val(0));
    case Kind::kBool:
      return MkScalar(ctx_.bool_val(false));
    case Kind::kInt:
    case Kind::kDate:
    case Kind::kEnum:
      return MkScalar(ctx_.int_val(0));
    case Kind::kList:
    case Kind::kSet:
    case Kind::kEmpty: {
      Sym s;
      s.shape = Shape::kList;
      return Normalize(std::move(s), type);
    }
    case Kind::kNone:
      return MkOptional(ctx_.bool_val(false), std::nullopt);
    default:
      return Opaque();
  }
}

auto Encoder::Havoc(TypeId type, const std::string& why) -> Sym {
  Approximate(why);
  const TypeTable& types = program_.types;
  switch (types.kind(type)) {
    case Kind::kOptional:
      return MkOptional(Fresh(ctx_.bool_sort()), Havoc(types.Get(type).elem, why));
    case Kind::kRecord: {
      Sym s;
      s.shape = Shape::kRecord;
      for (const FieldInfo& f : types.record_info(type).fields) {
        s.items.push_back(Havoc(f.type, why));
      }
      return s;
    }
    case Kind::kBool:
      return MkScalar(Fresh(ctx_.bool_sort()));
    case Kind::kInt:
    case Kind::kDate:
      return MkScalar(Fresh(ctx_.int_sort()));
    case Kind::kEnum: {
      z3::expr x = Fresh(ctx_.int_sort());
      const auto n = static_cast<int>(types.enum_info(type).variants.size());
      axioms_.push_back(x >= 0 && x < ctx_.int_val(n));
      return MkScalar(x);
    }
    case Kind::kDecimal:
      return MkScalar(Fresh(ctx_.int_sort()));
    case Kind::kText:
      return MkScalar(Fresh(ctx_.string_sort()));
    case Kind::kDuration: {
      Sym s;
      s.shape = Shape::kDuration;
      s.e.push_back(Fresh(ctx_.bool_sort()));
      s.e.push_back(Fresh(ctx_.int_sort()));
      return s;
    }
    case Kind::kSet:
      if (IsEnumSet(types, type)) {
        Sym s;
        s.shape = Shape::kEnumSet;
        for (size_t i = 0; i < types.enum_info(types.Get(type).elem).variants.size(); ++i) {
          s.e.push_back(Fresh(ctx_.bool_sort()));
        }
        return s;
      }
      return Opaque();
    default:
      return Opaque();
  }
}

auto Encoder::AsKnownList(const Sym& s) -> std::optional<Sym> {
  if (s.shape == Shape::kList) {
    return s;
  }
  if (s.shape == Shape::kEnumSet) {
    Sym out;
    out.shape = Shape::kList;
    for (size_t i = 0; i < s.e.size(); ++i) {
      out.items.push_back(MkScalar(ctx_.int_val(static_cast<int>(i))));
      out.e.push_back(s.e[i]);
    }
    return out;
  }
  return std::nullopt;
}

auto Encoder::Less(const Sym& a0, const Sym& b0, TypeId type) -> std::optional<z3::expr> {
  const Sym a = Plain(a0);
  const Sym b = Plain(b0);
  const TypeTable& types = program_.types;
  switch (types.kind(types.Unwrap(type))) {
    case Kind::kInt:
    case Kind::kDate:
    case Kind::kDecimal:
      if (a.shape == Shape::kScalar && b.shape == Shape::kScalar) {
        return a.e[0] < b.e[0];
      }
      return std::nullopt;
    case Kind::kDuration:
      if (a.shape == Shape::kDuration && b.shape == Shape::kDuration) {
        return a.e[1] < b.e[1];  // comparing across families is an error, not modelled
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace policy::analysis

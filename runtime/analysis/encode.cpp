#include "runtime/analysis/encode.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "core/builtins.h"
#include "core/date.h"

namespace policy::analysis {
namespace {

using Shape = Sym::Shape;

auto MkScalar(const z3::expr& e) -> Sym {
  Sym s;
  s.shape = Shape::kScalar;
  s.e.push_back(e);
  return s;
}

auto MkOptional(const z3::expr& is_some, std::optional<Sym> payload) -> Sym {
  Sym s;
  s.shape = Shape::kOptional;
  s.e.push_back(is_some);
  if (payload) {
    s.items.push_back(std::move(*payload));
  }
  return s;
}

auto Opaque() -> Sym {
  return Sym{};
}

auto Sum(z3::context& c, const std::vector<z3::expr>& terms, bool real) -> z3::expr {
  if (terms.empty()) {
    return real ? c.real_val(0) : c.int_val(0);
  }
  z3::expr total = terms.front();
  for (size_t i = 1; i < terms.size(); ++i) {
    total = total + terms[i];
  }
  return total;
}

auto AnyOf(z3::context& c, const std::vector<z3::expr>& xs) -> z3::expr {
  z3::expr_vector v(c);
  for (const auto& x : xs) {
    v.push_back(x);
  }
  return xs.empty() ? c.bool_val(false) : z3::mk_or(v);
}

auto AllOf(z3::context& c, const std::vector<z3::expr>& xs) -> z3::expr {
  z3::expr_vector v(c);
  for (const auto& x : xs) {
    v.push_back(x);
  }
  return xs.empty() ? c.bool_val(true) : z3::mk_and(v);
}

constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

auto MinDay() -> int64_t {
  return DaysFromCivil(Date::kMinYear, 1, 1);
}
auto MaxDay() -> int64_t {
  return DaysFromCivil(Date::kMaxYear, 12, 31);
}

auto IsEnumSet(const TypeTable& types, TypeId t) -> bool {
  t = types.Unwrap(t);
  return types.kind(t) == Kind::kSet && types.kind(types.Get(t).elem) == Kind::kEnum;
}

}  // namespace

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
    case Kind::kDecimal:
      s = MkScalar(ctx_.real_const(name.c_str()));
      break;
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
  const z3::expr& as_of = pool_.as_of();
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
      return MkScalar(ctx_.real_val(v.as_decimal().ToString().c_str()));
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
      return MkScalar(ctx_.real_val(0));
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
      return MkScalar(Fresh(ctx_.real_sort()));
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

// ---- the calendar ------------------------------------------------------------------------------
// The same formulas as core/date.cpp, in integer arithmetic that Z3 decides exactly
// (division and remainder by constants only). For a positive divisor Z3's `div`/`mod` are floor
// division and a non-negative remainder, which is what the formulas need.

auto Encoder::DaysFromCivil(const z3::expr& y, const z3::expr& m, const z3::expr& d) -> z3::expr {
  const z3::expr yy = z3::ite(m <= 2, y - 1, y);
  const z3::expr era = yy / 400;
  const z3::expr yoe = yy - era * 400;
  const z3::expr mp = z3::ite(m > 2, m - 3, m + 9);
  const z3::expr doy = (153 * mp + 2) / 5 + d - 1;
  const z3::expr doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

auto Encoder::DaysInMonth(const z3::expr& y, const z3::expr& m) -> z3::expr {
  const z3::expr leap = (z3::mod(y, 4) == 0 && z3::mod(y, 100) != 0) || z3::mod(y, 400) == 0;
  return z3::ite(m == 2, z3::ite(leap, ctx_.int_val(29), ctx_.int_val(28)),
                 z3::ite(m == 4 || m == 6 || m == 9 || m == 11, ctx_.int_val(30), ctx_.int_val(31)));
}

auto Encoder::CivilOf(const z3::expr& days) -> Civil {
  if (calendar_ != this) {
    return calendar_->CivilOf(days);
  }
  if (auto it = civil_memo_.find(days.id()); it != civil_memo_.end()) {
    return it->second;
  }
  const unsigned n = pool_.NextId();
  Civil c{ctx_.int_const(fmt::format("year#{}", n).c_str()),
          ctx_.int_const(fmt::format("month#{}", n).c_str()),
          ctx_.int_const(fmt::format("day#{}", n).c_str())};
  // Every day number has exactly one (year, month, day), so this definition never constrains
  // `days` itself.
  axioms_.push_back(c.m >= 1 && c.m <= 12 && c.d >= 1 && c.d <= DaysInMonth(c.y, c.m) &&
                    DaysFromCivil(c.y, c.m, c.d) == days);
  civil_memo_.emplace(days.id(), c);
  return c;
}

auto Encoder::AddMonths(const z3::expr& days, const z3::expr& n, bool overflow) -> z3::expr {
  const Civil c = CivilOf(days);
  const z3::expr t = c.y * 12 + (c.m - 1) + n;
  const z3::expr y2 = t / 12;
  const z3::expr m2 = z3::mod(t, 12) + 1;
  if (overflow) {
    return DaysFromCivil(y2, m2, ctx_.int_val(1)) + c.d - 1;
  }
  const z3::expr dim = DaysInMonth(y2, m2);
  return DaysFromCivil(y2, m2, z3::ite(c.d > dim, dim, c.d));
}

auto Encoder::FloorDiv(const z3::expr& p, const z3::expr& q) -> z3::expr {
  if (q.is_numeral()) {
    int64_t v = 0;
    if (q.is_numeral_i64(v) && v > 0) {
      return p / q;
    }
  }
  return z3::ite(q > 0, p / q, (-p) / (-q));
}

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
      return MkScalar(pool_.as_of());
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
        return MkScalar(x * y);
      case ArithOp::kDiv:
        if (dec) {
          return Havoc(n.type, "decimal division (rounded to the decimal precision)");
        }
        return MkScalar(FloorDiv(x, y));
      case ArithOp::kMod:
        if (dec) {
          return Havoc(n.type, "decimal remainder");
        }
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
      return MkScalar(Sum(ctx_, terms, false));
    case AggOp::kSum: {
      const bool real = types.Unwrap(n.type) == TypeTable::kDecimalId;
      for (size_t i = 0; i < bodies.size(); ++i) {
        const Sym b = Plain(bodies[i]);
        if (b.shape != Shape::kScalar) {
          return Havoc(n.type, "a sum of values the encoding does not model");
        }
        terms.push_back(z3::ite(present[i], b.e[0], real ? ctx_.real_val(0) : ctx_.int_val(0)));
      }
      return MkScalar(Sum(ctx_, terms, real));
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

auto Encoder::EncodeBuiltin(const ir::Node& n, Frame& f) -> Sym {
  const auto builtin = static_cast<Builtin>(n.a);
  const std::string name(GetBuiltin(builtin).name);
  std::vector<Sym> args;
  for (const auto& k : n.kids) {
    args.push_back(Encode(*k, f));
  }
  const auto scalar = [&](size_t i) -> std::optional<z3::expr> {
    const Sym s = Plain(args[i]);
    if (s.shape == Shape::kScalar) {
      return s.e[0];
    }
    return std::nullopt;
  };
  switch (builtin) {
    case Builtin::kMin:
    case Builtin::kMax: {
      const auto lt = builtin == Builtin::kMin ? Less(args[0], args[1], n.kids[0]->type)
                                               : Less(args[1], args[0], n.kids[0]->type);
      if (!lt) {
        break;
      }
      return Ite(!*lt, Plain(args[1]), Plain(args[0]));
    }
    case Builtin::kAbs:
      if (auto x = scalar(0)) {
        return MkScalar(z3::ite(*x < 0, -*x, *x));
      }
      break;
    case Builtin::kLength: {
      const TypeId t = program_.types.Unwrap(n.kids[0]->type);
      const Sym c = Plain(args[0]);
      if (c.shape == Shape::kEnumSet ||
          (c.shape == Shape::kList && program_.types.kind(t) == Kind::kList)) {
        std::vector<z3::expr> terms;
        for (const auto& p : c.e) {
          terms.push_back(z3::ite(p, ctx_.int_val(1), ctx_.int_val(0)));
        }
        return MkScalar(Sum(ctx_, terms, false));
      }
      break;
    }
    case Builtin::kYear:
      if (auto x = scalar(0)) {
        return MkScalar(CivilOf(*x).y);
      }
      break;
    case Builtin::kMonth:
      if (auto x = scalar(0)) {
        return MkScalar(CivilOf(*x).m);
      }
      break;
    case Builtin::kDay:
      if (auto x = scalar(0)) {
        return MkScalar(CivilOf(*x).d);
      }
      break;
    case Builtin::kWeekday:
      if (auto x = scalar(0)) {
        return MkScalar(z3::mod(*x + 4, 7));  // 1970-01-01 was a Thursday (4)
      }
      break;
    case Builtin::kDaysBetween:
      if (auto a = scalar(0), b = scalar(1); a && b) {
        return MkScalar(*b - *a);
      }
      break;
    case Builtin::kToDecimal:
      if (auto x = scalar(0)) {
        return MkScalar(z3::to_real(*x));
      }
      break;
    case Builtin::kAddMonthsOverflow:
      if (auto a = scalar(0), b = scalar(1); a && b) {
        return MkScalar(AddMonths(*a, *b, true));
      }
      break;
    case Builtin::kToList:
      if (auto l = AsKnownList(Plain(args[0])); l && Plain(args[0]).shape == Shape::kEnumSet) {
        return *l;
      }
      break;
    case Builtin::kDistinct:
      if (IsEnumSet(program_.types, n.type) && Plain(args[0]).shape == Shape::kList) {
        return Plain(args[0]);  // Normalize makes the membership bits
      }
      break;
    case Builtin::kFlatten: {
      const Sym outer = Plain(args[0]);
      if (outer.shape != Shape::kList) {
        break;
      }
      Sym s;
      s.shape = Shape::kList;
      bool ok = true;
      for (size_t i = 0; i < outer.items.size() && ok; ++i) {
        const auto inner = AsKnownList(Plain(outer.items[i]));
        if (!inner) {
          ok = false;
          break;
        }
        for (size_t k = 0; k < inner->items.size(); ++k) {
          s.items.push_back(inner->items[k]);
          s.e.push_back(outer.e[i] && inner->e[k]);
        }
      }
      if (ok) {
        return s;
      }
      break;
    }
    case Builtin::kAddWorkingDays:
    case Builtin::kWorkingDaysBetween:
    case Builtin::kDatesEvery:
      break;  // kHavoc in core/builtins.def: stepping through a calendar is not modelled
  }
  return Havoc(n.type, fmt::format("`{}`", name));
}

}  // namespace policy::analysis

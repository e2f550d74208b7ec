#include "runtime/analysis/witness.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>

#include "core/decimal.h"
#include "runtime/analysis/encode_support.h"
#include "runtime/engine/case_search.h"
#include "runtime/engine/exact_json.h"

namespace policy::analysis {
namespace {

using json = nlohmann::json;

// The model's value of `e`, or nullopt when the model leaves it free (the question does not
// depend on it) or it is not a plain constant.
auto Fixed(const z3::model& model, const z3::expr& e) -> std::optional<z3::expr> {
  z3::expr v = model.eval(e, false);
  if (v.is_numeral() || v.is_true() || v.is_false() || (v.is_app() && v.is_string_value())) {
    return v;
  }
  return std::nullopt;
}

auto Int64(const z3::expr& v) -> std::optional<int64_t> {
  int64_t out = 0;
  if (v.is_numeral_i64(out)) {
    return out;
  }
  return std::nullopt;
}

// A decimal's coefficient (an integer numeral) as a JSON number.
auto DecimalJson(const z3::expr& v) -> std::optional<json> {
  if (!v.is_numeral()) {
    return std::nullopt;
  }
  const auto d = Decimal::Parse(v.get_decimal_string(0) + "e-18");
  if (!d) {
    return std::nullopt;
  }
  return exact_json::Number<json>(*d);
}

// Whether `a` and `b` are the same number written differently ("7.50" and "7.5").
auto SameNumber(const json& a, const json& b) -> bool {
  if (!exact_json::IsNumber(a) || !exact_json::IsNumber(b)) {
    return false;
  }
  const auto x = Decimal::Parse(exact_json::NumberText(a));
  const auto y = Decimal::Parse(exact_json::NumberText(b));
  return x && y && *x == *y;
}

// The JSON object that holds `path`'s last key, creating objects on the way; null when a part
// of the path is `none` in the case (an absent optional: its fields do not exist).
auto Parent(json& root, const std::vector<std::string>& path) -> json* {
  json* at = &root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!at->is_object()) {
      return nullptr;
    }
    json& next = (*at)[path[i]];
    if (next.is_null()) {
      return nullptr;
    }
    at = &next;
  }
  return at->is_object() ? at : nullptr;
}

}  // namespace

auto SymOfJson(const TypeTable& types, TypeId type, const json& v, z3::context& ctx) -> std::optional<Sym> {
  switch (types.kind(type)) {
    case Kind::kBool:
      if (v.is_boolean()) {
        return MkScalar(ctx.bool_val(v.get<bool>()));
      }
      return std::nullopt;
    case Kind::kInt:
      if (v.is_number_integer()) {
        return MkScalar(ctx.int_val(v.get<int64_t>()));
      }
      return std::nullopt;
    case Kind::kDecimal:
      if (exact_json::IsNumber(v)) {
        if (const auto d = Decimal::Parse(exact_json::NumberText(v))) {
          return MkScalar(ctx.int_val(d->CoefficientText().c_str()));
        }
      }
      return std::nullopt;
    case Kind::kDate:
      if (v.is_string()) {
        if (const auto d = Date::Parse(v.get<std::string>())) {
          return MkScalar(ctx.int_val(d->days()));
        }
      }
      return std::nullopt;
    case Kind::kEnum:
      if (v.is_string()) {
        const auto& names = types.enum_info(type).json_names;
        const auto it = std::find(names.begin(), names.end(), v.get<std::string>());
        if (it != names.end()) {
          return MkScalar(ctx.int_val(static_cast<int>(it - names.begin())));
        }
      }
      return std::nullopt;
    case Kind::kText:
      if (v.is_string()) {
        return MkScalar(ctx.string_val(v.get<std::string>()));
      }
      return std::nullopt;
    case Kind::kSet: {
      // A set of enum values: one membership bit per value, as the encoding has it.
      const TypeId elem = types.Get(type).elem;
      if (types.kind(elem) != Kind::kEnum || !v.is_array()) {
        return std::nullopt;
      }
      const auto& names = types.enum_info(elem).json_names;
      for (const json& m : v) {
        if (!m.is_string() || std::find(names.begin(), names.end(), m.get<std::string>()) == names.end()) {
          return std::nullopt;
        }
      }
      Sym s;
      s.shape = Shape::kEnumSet;
      for (const std::string& n : names) {
        s.e.push_back(ctx.bool_val(std::find(v.begin(), v.end(), json(n)) != v.end()));
      }
      return s;
    }
    case Kind::kOptional:
      if (v.is_null()) {
        return MkOptional(ctx.bool_val(false), std::nullopt);
      }
      if (auto inner = SymOfJson(types, types.Get(type).elem, v, ctx)) {
        return MkOptional(ctx.bool_val(true), std::move(*inner));
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

auto OverlayModel(const z3::model& model, const InputPool& pool, json base) -> json {
  std::set<std::string> absent;  // optionals the model makes `none`: nothing under them exists
  const auto under_absent = [&](const std::vector<std::string>& path) {
    std::string prefix;
    for (const auto& p : path) {
      prefix += "/" + p;
      if (absent.count(prefix) != 0) {
        return true;
      }
    }
    return false;
  };
  for (const InputLeaf& leaf : pool.leaves()) {
    const TypeTable& types = *leaf.types;
    if (leaf.path.empty() || under_absent(leaf.path)) {
      continue;
    }
    json* parent = Parent(base, leaf.path);
    if (parent == nullptr) {
      continue;
    }
    json& slot = (*parent)[leaf.path.back()];
    const Sym& s = leaf.sym;
    switch (s.shape) {
      case Shape::kOptional: {
        const auto some = Fixed(model, s.e[0]);
        if (!some) {
          break;
        }
        if (some->is_false()) {
          slot = nullptr;
          std::string key;
          for (const auto& p : leaf.path) {
            key += "/" + p;
          }
          absent.insert(key);
        } else if (slot.is_null()) {
          slot = CaseMutator(types, Date::FromDays(0), 1).Fresh(types.Get(leaf.type).elem);
        }
        break;
      }
      case Shape::kScalar: {
        const auto v = Fixed(model, s.e[0]);
        if (!v) {
          break;
        }
        const TypeId t = types.Unwrap(leaf.type);
        switch (types.kind(t)) {
          case Kind::kBool:
            slot = v->is_true();
            break;
          case Kind::kInt:
            if (const auto i = Int64(*v)) {
              slot = *i;
            }
            break;
          case Kind::kDecimal:
            if (const auto d = DecimalJson(*v)) {
              slot = *d;
            }
            break;
          case Kind::kText:
            slot = v->get_string();
            break;
          case Kind::kDate:
            if (const auto i = Int64(*v)) {
              slot = Date::FromDays(static_cast<int32_t>(*i)).ToString();
            }
            break;
          case Kind::kEnum:
            if (const auto i = Int64(*v);
                i && *i >= 0 && static_cast<size_t>(*i) < types.enum_info(t).json_names.size()) {
              slot = types.enum_info(t).json_names[static_cast<size_t>(*i)];
            }
            break;
          default:
            break;
        }
        break;
      }
      case Shape::kDuration: {
        const auto day_based = Fixed(model, s.e[0]);
        const auto count = Fixed(model, s.e[1]);
        if (!day_based && !count) {
          break;
        }
        const bool days = model.eval(s.e[0], true).is_true();
        const auto n = Int64(model.eval(s.e[1], true));
        if (n) {
          slot = fmt::format("P{}{}", *n, days ? "D" : "M");
        }
        break;
      }
      case Shape::kEnumSet: {
        bool any_fixed = false;
        for (const auto& bit : s.e) {
          any_fixed = any_fixed || Fixed(model, bit).has_value();
        }
        if (!any_fixed) {
          break;
        }
        const auto& names = types.enum_info(types.Get(types.Unwrap(leaf.type)).elem).json_names;
        json members = json::array();
        for (size_t i = 0; i < s.e.size() && i < names.size(); ++i) {
          const auto fixed = Fixed(model, s.e[i]);
          const bool in =
              fixed ? fixed->is_true()
                    : (slot.is_array() && std::find(slot.begin(), slot.end(), names[i]) != slot.end());
          if (in) {
            members.push_back(names[i]);
          }
        }
        slot = members;
        break;
      }
      default:
        break;
    }
  }
  return base;
}

namespace {

// The equalities that hold when `leaf` keeps the value `at` (the base case's JSON there).
auto LeafEqualities(const InputLeaf& leaf, const json& at) -> std::vector<z3::expr> {
  const Sym& s = leaf.sym;
  if (s.e.empty()) {
    return {};
  }
  z3::context& ctx = s.e[0].ctx();
  if (s.shape == Shape::kOptional) {
    return {s.e[0] == ctx.bool_val(!at.is_null())};
  }
  if (s.shape != Shape::kScalar && s.shape != Shape::kEnumSet) {
    return {};
  }
  const auto value = SymOfJson(*leaf.types, leaf.types->Unwrap(leaf.type), at, ctx);
  if (!value || value->shape != s.shape || value->e.size() != s.e.size()) {
    return {};
  }
  std::vector<z3::expr> out;
  for (size_t i = 0; i < s.e.size(); ++i) {
    out.push_back(s.e[i] == value->e[i]);
  }
  return out;
}

// The base case's JSON at `path`, or null when the path is not there.
auto ValueAt(const json& base, const std::vector<std::string>& path) -> const json* {
  const json* at = &base;
  for (const auto& p : path) {
    if (!at->is_object() || !at->contains(p)) {
      return nullptr;
    }
    at = &(*at)[p];
  }
  return at;
}

auto PathText(const std::vector<std::string>& path) -> std::string {
  std::string out = "$";
  for (const auto& p : path) {
    out += "." + p;
  }
  return out;
}

}  // namespace

auto Preferences(const InputPool& pool, const json& base) -> std::vector<z3::expr> {
  std::vector<z3::expr> out;
  for (const InputLeaf& leaf : pool.leaves()) {
    const json* at = ValueAt(base, leaf.path);
    if (at == nullptr || leaf.path.empty()) {
      continue;
    }
    for (z3::expr& e : LeafEqualities(leaf, *at)) {
      out.push_back(std::move(e));
    }
  }
  return out;
}

auto KeepConstraints(const InputPool& pool, const json& base) -> std::vector<FieldKeep> {
  std::vector<FieldKeep> out;
  for (const InputLeaf& leaf : pool.leaves()) {
    const json* at = ValueAt(base, leaf.path);
    if (at == nullptr || leaf.path.empty()) {
      continue;
    }
    std::vector<z3::expr> equal = LeafEqualities(leaf, *at);
    if (equal.empty()) {
      continue;
    }
    const std::string path = PathText(leaf.path);
    auto it = std::find_if(out.begin(), out.end(), [&](const FieldKeep& k) { return k.path == path; });
    if (it == out.end()) {
      out.push_back({path, {}});
      it = out.end() - 1;
    }
    it->equal.insert(it->equal.end(), equal.begin(), equal.end());
  }
  return out;
}

auto JsonDiff(const json& before, const json& after) -> std::vector<JsonChange> {
  std::vector<JsonChange> out;
  const auto walk = [&](const auto& self, const json& a, const json& b, const std::string& path) -> void {
    if (a.is_object() && b.is_object()) {
      for (auto it = b.begin(); it != b.end(); ++it) {
        self(self, a.contains(it.key()) ? a[it.key()] : json(), it.value(), path + "." + it.key());
      }
      return;
    }
    if (a != b && !SameNumber(a, b)) {
      out.push_back({path, a, b});
    }
  };
  walk(walk, before, after, "$");
  return out;
}

auto JsonChanges(const json& before, const json& after) -> std::vector<std::string> {
  std::vector<std::string> out;
  for (const JsonChange& c : JsonDiff(before, after)) {
    out.push_back(fmt::format("{}: {} -> {}", c.path, exact_json::Dump(c.before), exact_json::Dump(c.after)));
  }
  return out;
}

auto ClosestModel(const std::vector<z3::expr>& hard, InputPool& pool, const json& base, unsigned timeout_ms,
                  unsigned rlimit, std::optional<int32_t> prefer_as_of, bool* timed_out)
    -> std::optional<z3::model> {
  z3::context& ctx = pool.ctx();
  z3::optimize opt(ctx);
  z3::params params(ctx);
  params.set("timeout", std::min(timeout_ms, 2000U));
  if (rlimit != 0) {
    params.set("rlimit", rlimit);
  }
  opt.set(params);
  for (const z3::expr& c : hard) {
    opt.add(c);
  }
  for (const z3::expr& keep : Preferences(pool, base)) {
    opt.add_soft(keep, 1);
  }
  if (prefer_as_of && pool.as_of_is_symbolic()) {
    opt.add_soft(pool.as_of() == ctx.int_val(*prefer_as_of), 1);
  }
  const z3::check_result r = opt.check();
  *timed_out = r == z3::unknown;
  if (r != z3::sat) {
    return std::nullopt;
  }
  return opt.get_model();
}

auto ModelAsOf(const z3::model& model, const InputPool& pool) -> std::optional<Date> {
  const auto days = Int64(model.eval(pool.as_of(), true));
  if (!days) {
    return std::nullopt;
  }
  return Date::FromDays(static_cast<int32_t>(*days));
}

}  // namespace policy::analysis

// What the files of the SMT encoding share (encode.cpp, encode_expr.cpp, encode_builtins.cpp):
// building symbolic values, and the bounds of the types. Private to runtime/analysis.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "compiler/base/types.h"
#include "core/date.h"
#include "runtime/analysis/encode.h"

namespace policy::analysis {

using Shape = Sym::Shape;

inline auto MkScalar(const z3::expr& e) -> Sym {
  Sym s;
  s.shape = Shape::kScalar;
  s.e.push_back(e);
  return s;
}

inline auto MkOptional(const z3::expr& is_some, std::optional<Sym> payload) -> Sym {
  Sym s;
  s.shape = Shape::kOptional;
  s.e.push_back(is_some);
  if (payload) {
    s.items.push_back(std::move(*payload));
  }
  return s;
}

inline auto Opaque() -> Sym {
  return Sym{};
}

// Integers and decimals alike: a decimal is its integer coefficient.
inline auto Sum(z3::context& c, const std::vector<z3::expr>& terms) -> z3::expr {
  if (terms.empty()) {
    return c.int_val(0);
  }
  z3::expr total = terms.front();
  for (size_t i = 1; i < terms.size(); ++i) {
    total = total + terms[i];
  }
  return total;
}

inline auto AnyOf(z3::context& c, const std::vector<z3::expr>& xs) -> z3::expr {
  z3::expr_vector v(c);
  for (const auto& x : xs) {
    v.push_back(x);
  }
  return xs.empty() ? c.bool_val(false) : z3::mk_or(v);
}

inline auto AllOf(z3::context& c, const std::vector<z3::expr>& xs) -> z3::expr {
  z3::expr_vector v(c);
  for (const auto& x : xs) {
    v.push_back(x);
  }
  return xs.empty() ? c.bool_val(true) : z3::mk_and(v);
}

// Decimals are encoded as their coefficients (core/decimal.h): integers, value * 10^18, whose
// magnitude is below 10^35.
inline auto DecimalUnit(z3::context& c) -> z3::expr {
  return c.int_val("1000000000000000000");
}
inline auto DecimalLimit(z3::context& c) -> z3::expr {
  return c.int_val("100000000000000000000000000000000000");
}

inline constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

inline auto MinDay() -> int64_t {
  return DaysFromCivil(Date::kMinYear, 1, 1);
}
inline auto MaxDay() -> int64_t {
  return DaysFromCivil(Date::kMaxYear, 12, 31);
}

inline auto IsEnumSet(const TypeTable& types, TypeId t) -> bool {
  t = types.Unwrap(t);
  return types.kind(t) == Kind::kSet && types.kind(types.Get(t).elem) == Kind::kEnum;
}

}  // namespace policy::analysis

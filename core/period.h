// An effective period: the dates from `from` to `until`, both included, either end open. Rules,
// exceptions, parameter values and whole decisions carry one (`effective from ... until ...`).
// Whether a date is inside is decided here and only here; the backends that cannot call this
// (the JIT's machine code, the Z3 encoding) translate `Contains` term for term, and
// ir::Decision::InEffectPeriods says which periods make a decision in effect.
#pragma once

#include <optional>
#include <string>

#include "core/date.h"

namespace policy {

struct Period {
  std::optional<Date> from;   // first date in effect; open when absent
  std::optional<Date> until;  // last date in effect; open when absent

  auto Contains(Date d) const -> bool { return !(from && d < *from) && !(until && d > *until); }
  auto IsBounded() const -> bool { return from.has_value() || until.has_value(); }
  // As written in a policy: "from 2014-03-17 until 2020-01-01", "from ...", "until ...", or ""
  // for a period open at both ends.
  auto ToString() const -> std::string;

  friend auto operator==(const Period&, const Period&) -> bool = default;
  friend auto operator<=>(const Period&, const Period&) = default;
};

}  // namespace policy

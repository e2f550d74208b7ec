// The C functions the generated machine code calls by address. They run when policies are
// evaluated, not when they are compiled, and each is a thin entry into the interpreter's own
// definition (runtime/vm, core/date.h), so that both backends compute the same thing.
#include "runtime/jit/lowering.h"

#include <algorithm>

namespace policy::jit {

extern "C" auto PolicyJitOperation(vm::NativeState* state, const vm::Code* op, Value* operands, Value* out)
    -> int32_t {
  return vm::CompiledProgram::RunOperation(*state->ctx, *op, operands, out) ? 1 : 0;
}

extern "C" auto PolicyJitNewList(vm::NativeState* state, uint32_t n) -> void* {
  return vm::CompiledProgram::NewNativeList(*state->ctx, n);
}

// The calendar, for `year`, `month`, `day_of_month` and `date + n months`: pure functions of
// their arguments, with the interpreter's definitions (core/date.h). The optimised tier
// computes a date's fields inline instead (FunctionLowering::Civil), and leaves a day count
// outside the inline arithmetic's range to the interpreter.
// (year << 16) | (month << 8) | day of a date given as days since 1970-01-01.
extern "C" auto PolicyJitCivil(int64_t days) -> int64_t {
  const CivilDate c = Date::FromDays(static_cast<int32_t>(days)).ToCivil();
  return (int64_t{c.year} << 16) | (int64_t{c.month} << 8) | int64_t{c.day};
}

// Date::AddMonths, or INT64_MIN (Date::kNoDays) when the result leaves the supported range
// (the interpreter then reports the error).
extern "C" auto PolicyJitAddMonths(int64_t days, int64_t months) -> int64_t {
  static_assert(Date::kNoDays == INT64_MIN);
  return Date::FromDays(static_cast<int32_t>(days)).AddMonthsToDays(months);
}

extern "C" auto PolicyJitAddMonthsCached(int64_t days, int64_t months, MonthsCache* cache) -> int64_t {
  const int64_t filled = std::min(cache->count, MonthsCache::kEntries);
  for (int64_t i = 0; i < filled; ++i) {
    if (cache->days[i] == days && cache->months[i] == months) {
      return cache->result[i];
    }
  }
  const int64_t result = PolicyJitAddMonths(days, months);
  const int64_t slot = cache->count % MonthsCache::kEntries;
  cache->days[slot] = days;
  cache->months[slot] = months;
  cache->result[slot] = result;
  ++cache->count;
  return result;
}

}  // namespace policy::jit

// Dates and durations, and the builtins computed in place (most of them the calendar's). Apart
// because the calendar is where the two tiers emit different code: the quick tier calls C, the
// optimised one computes inline, for reasons measured in docs/jit.md.
#include "runtime/jit/lowering.h"

#include <llvm/IR/Intrinsics.h>

#include "core/builtins.h"

namespace policy::jit {

// The whole supported range (years 1..9999) and far beyond is inline. A day count outside it is
// a date value no input or operation can make; the code bails out to the interpreter on one
// rather than branching around a call, so the computation stays straight-line code and LLVM
// computes it once per date however many of `year`, `month` and `day_of_month` are asked for
// (`age_on` asks for all six of two dates; with a call on the other side of a branch, each
// was computed anew: docs/jit.md).
constexpr int64_t kDaysTo0000March1 = 719468;
constexpr int64_t kInlineCalendarDays = int64_t{1} << 30;

auto FunctionLowering::ComputationalFromDays(llvm::Value* n) -> Computational {
  llvm::Type* i32 = b_.getInt32Ty();
  llvm::Type* i64 = b_.getInt64Ty();
  const auto c32 = [&](uint32_t v) { return llvm::ConstantInt::get(i32, v); };
  llvm::Value* n1 = b_.CreateAdd(b_.CreateMul(n, c32(4)), c32(3));
  llvm::Value* century = b_.CreateUDiv(n1, c32(146097));
  llvm::Value* day_of_century = b_.CreateUDiv(b_.CreateURem(n1, c32(146097)), c32(4));
  llvm::Value* p2 = b_.CreateMul(
      b_.CreateZExt(b_.CreateAdd(b_.CreateMul(day_of_century, c32(4)), c32(3)), i64), b_.getInt64(2939745));
  llvm::Value* year_of_century = b_.CreateTrunc(b_.CreateLShr(p2, 32), i32);
  llvm::Value* day_of_year = b_.CreateUDiv(b_.CreateUDiv(b_.CreateTrunc(p2, i32), c32(2939745)), c32(4));
  llvm::Value* n3 = b_.CreateAdd(b_.CreateMul(day_of_year, c32(2141)), c32(197913));
  return {b_.CreateAdd(b_.CreateMul(century, c32(100)), year_of_century), b_.CreateLShr(n3, 16),
          b_.CreateAdd(b_.CreateUDiv(b_.CreateAnd(n3, c32(0xffff)), c32(2141)), c32(1))};
}

auto FunctionLowering::Civil(llvm::Value* days) -> llvm::Value* {
  if (!l_.optimized()) {
    return Helper(reinterpret_cast<void*>(&PolicyJitCivil), b_.getInt64Ty(), {days});
  }
  llvm::Value* n = b_.CreateAdd(days, b_.getInt64(kDaysTo0000March1));
  BailIf(b_.CreateICmpUGE(n, b_.getInt64(kInlineCalendarDays)));
  const Computational c = ComputationalFromDays(b_.CreateTrunc(n, b_.getInt32Ty()));
  // January and February belong to the next civil year.
  llvm::Value* jan_feb = b_.CreateICmpUGE(c.month, b_.getInt32(13));
  llvm::Value* year = b_.CreateAdd(c.year, b_.CreateZExt(jan_feb, b_.getInt32Ty()));
  llvm::Value* month = b_.CreateSelect(jan_feb, b_.CreateSub(c.month, b_.getInt32(12)), c.month);
  llvm::Type* i64 = b_.getInt64Ty();
  return b_.CreateOr(
      b_.CreateOr(b_.CreateShl(b_.CreateZExt(year, i64), 16), b_.CreateShl(b_.CreateZExt(month, i64), 8)),
      b_.CreateZExt(c.day, i64));
}

auto FunctionLowering::AddMonthsCached(llvm::Value* days, llvm::Value* months) -> llvm::Value* {
  if (months_cache_ == nullptr) {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    llvm::AllocaInst* cache =
        entry.CreateAlloca(llvm::ArrayType::get(entry.getInt64Ty(), sizeof(MonthsCache) / sizeof(int64_t)));
    cache->setAlignment(llvm::Align(8));
    entry.SetInsertPoint(&fn_->getEntryBlock(), std::next(cache->getIterator()));
    months_cache_ = entry.CreateBitCast(cache, entry.getInt8PtrTy());
    entry.CreateStore(entry.getInt64(0),
                      entry.CreateBitCast(months_cache_, entry.getInt64Ty()->getPointerTo()));  // count
  }
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::FunctionType* t = llvm::FunctionType::get(i64, {i64, i64, b_.getInt8PtrTy()}, false);
  llvm::Value* callee = b_.CreateIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(&PolicyJitAddMonthsCached)),
                                          t->getPointerTo());
  llvm::CallInst* call = b_.CreateCall(t, callee, {days, months, months_cache_});
  call->setOnlyAccessesArgMemory();
  call->setDoesNotThrow();
  return call;
}

// date + duration (date - duration): days and weeks inline, months and years by
// Date::AddMonths; overflow or a date out of range bails (the interpreter reports it).
auto FunctionLowering::AddDuration(const V& date, const V& duration, bool subtract) -> V {
  llvm::Value* count = duration.bits;
  if (subtract) {
    BailIf(b_.CreateICmpEQ(count, b_.getInt64(static_cast<uint64_t>(INT64_MIN))));
    count = b_.CreateNeg(count);
  }
  llvm::Value* unit = duration.head;
  const auto unit_is = [&](DurationUnit u) {
    return b_.CreateICmpEQ(unit, b_.getInt64(static_cast<uint8_t>(u)));
  };
  llvm::Value* factor =
      b_.CreateSelect(unit_is(DurationUnit::kWeeks), b_.getInt64(7),
                      b_.CreateSelect(unit_is(DurationUnit::kYears), b_.getInt64(12), b_.getInt64(1)));
  llvm::Value* scaled = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smul_with_overflow, count, factor);
  BailIf(b_.CreateExtractValue(scaled, 1));
  llvm::Value* n = b_.CreateExtractValue(scaled, 0);
  llvm::Value* by_months = b_.CreateOr(unit_is(DurationUnit::kMonths), unit_is(DurationUnit::kYears));
  const V result = Branch(
      by_months,
      [&]() -> V {
        llvm::Value* days = AddMonthsCached(date.bits, n);
        BailIf(b_.CreateICmpEQ(days, b_.getInt64(static_cast<uint64_t>(INT64_MIN))));
        return {date.tag, date.head, days};
      },
      [&]() -> V {
        llvm::Value* sum = b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, date.bits, n);
        BailIf(b_.CreateExtractValue(sum, 1));
        llvm::Value* days = b_.CreateExtractValue(sum, 0);
        BailIf(b_.CreateOr(b_.CreateICmpSLT(days, b_.getInt64(static_cast<uint64_t>(l_.min_days()))),
                           b_.CreateICmpSGT(days, b_.getInt64(static_cast<uint64_t>(l_.max_days())))));
        return {date.tag, date.head, days};
      });
  return result;
}

// Builtins computed in place; nullopt for those left to the interpreter's operation.
auto FunctionLowering::EmitBuiltin(const ir::Node& n) -> std::optional<V> {
  const auto builtin = static_cast<Builtin>(n.a);
  const TypeTable& types = l_.types();
  switch (builtin) {
    case Builtin::kToDecimal: {
      // Decimal::FromInt: the integer times 10^18 (cannot overflow 128 bits), within the range.
      const V x = Emit(*n.kids[0]);
      llvm::Type* i128 = b_.getInt128Ty();
      llvm::Value* c = b_.CreateMul(b_.CreateSExt(x.bits, i128),
                                    llvm::ConstantInt::get(i128, uint64_t{1'000'000'000'000'000'000}));
      BailIf(DecimalOutOfRange(c));
      return FromCoefficient(c);
    }
    case Builtin::kMin:
    case Builtin::kMax: {
      const TypeId t = n.kids[0]->type;
      if ((t != TypeTable::kIntId && t != TypeTable::kDateId) || types.IsOptional(n.type)) {
        return std::nullopt;
      }
      // BuiltinCode: min keeps the first on a tie, max the second.
      const V x = Emit(*n.kids[0]);
      const V y = Emit(*n.kids[1]);
      llvm::Value* take_x =
          builtin == Builtin::kMin ? b_.CreateICmpSLE(x.bits, y.bits) : b_.CreateICmpSGT(x.bits, y.bits);
      return V{x.tag, x.head, b_.CreateSelect(take_x, x.bits, y.bits)};
    }
    case Builtin::kYear:
    case Builtin::kMonth:
    case Builtin::kDay: {
      const V d = Emit(*n.kids[0]);
      llvm::Value* civil = Civil(d.bits);
      llvm::Value* part =
          builtin == Builtin::kYear
              ? b_.CreateAShr(civil, 16)
              : b_.CreateAnd(b_.CreateLShr(civil, builtin == Builtin::kMonth ? 8 : 0), b_.getInt64(0xff));
      return V{b_.getInt8(Tag(Kind::kInt)), b_.getInt64(0), part};
    }
    case Builtin::kDaysBetween: {
      const V a = Emit(*n.kids[0]);
      const V b = Emit(*n.kids[1]);
      return V{b_.getInt8(Tag(Kind::kInt)), b_.getInt64(0), b_.CreateSub(b.bits, a.bits)};
    }
    case Builtin::kAbs:
    case Builtin::kLength:
    case Builtin::kWeekday:
    case Builtin::kAddWorkingDays:
    case Builtin::kWorkingDaysBetween:
    case Builtin::kAddMonthsOverflow:
    case Builtin::kDatesEvery:
    case Builtin::kDistinct:
    case Builtin::kToList:
    case Builtin::kFlatten:
      return std::nullopt;  // kOperation in core/builtins.def: the interpreter's operation
  }
  return std::nullopt;
}

}  // namespace policy::jit

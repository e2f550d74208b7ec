// Emit, the dispatch over IR nodes, with the nodes that are a few instructions inline: booleans,
// integer arithmetic and comparisons, decimal comparisons, enum sets, `if`, `match`, `??`. Kept
// together because the dispatch is where each node chooses between inline code and the
// interpreter's operation (lower_calls.cpp), the default for anything not handled here.
#include "runtime/jit/lowering.h"

#include <llvm/IR/Intrinsics.h>

namespace policy::jit {

auto FunctionLowering::Equal(TypeId type, const V& a, const V& b) -> llvm::Value* {
  const TypeTable& types = l_.types();
  const TypeId t = types.Unwrap(type);
  if ((t == TypeTable::kIntId || t == TypeTable::kBoolId || types.kind(t) == Kind::kEnum ||
       t == TypeTable::kDateId) &&
      !types.IsOptional(type)) {
    return b_.CreateICmpEQ(a.bits, b.bits);
  }
  return Truth(Operation(BinaryOnLocals(ir::Op::kEq, TypeTable::kBoolId, type, Span{}), {a, b}));
}

auto FunctionLowering::Emit(const ir::Node& n) -> V {
  const TypeTable& types = l_.types();
  ++emitted_nodes_;
  switch (n.op) {
    case ir::Op::kConst:
      return Const(l_.ir().constants[n.a]);
    case ir::Op::kGlobal:
      return Const(l_.program().global_values()[n.a]);
    case ir::Op::kLocal:
      return Load(Slot(n.a));
    case ir::Op::kAsOf:
      return {b_.getInt8(Tag(Kind::kDate)), b_.getInt64(0), AsOf()};
    case ir::Op::kAsOfDate:
      return EmitAsOfDate(n);
    case ir::Op::kField: {
      // Records are immutable once built: a field read twice (across calls too) is read once.
      const V rec = Emit(*n.kids[0]);
      llvm::Value* obj = b_.CreateIntToPtr(rec.bits, b_.getInt8PtrTy());
      return Load(ByteAt(obj, 8 + int64_t{16} * n.a), /*invariant=*/true);
    }
    case ir::Op::kCallFunction:
    case ir::Op::kCallDecision: {
      std::vector<V> args;
      for (const auto& k : n.kids) {
        args.push_back(Emit(*k));
      }
      if (n.op == ir::Op::kCallDecision) {
        return CallDecision(n.a, args, RootsOf(n));
      }
      if (auto v = Inline(n.a, args, RootsOf(n))) {
        return *v;
      }
      return Call(l_.Function(n.a), args);
    }
    case ir::Op::kNot:
      return Bool(b_.CreateNot(Truth(Emit(*n.kids[0]))));
    case ir::Op::kNeg:
      if (n.type == TypeTable::kIntId) {
        const V x = Emit(*n.kids[0]);
        BailIf(b_.CreateICmpEQ(x.bits, b_.getInt64(static_cast<uint64_t>(INT64_MIN))));
        return {x.tag, x.head, b_.CreateNeg(x.bits)};
      }
      if (n.type == TypeTable::kDecimalId) {
        return FromCoefficient(b_.CreateNeg(Coefficient(Emit(*n.kids[0]))));  // the range is symmetric
      }
      break;
    case ir::Op::kAnd:
    case ir::Op::kOr: {
      const bool is_and = n.op == ir::Op::kAnd;
      llvm::Value* a = Truth(Emit(*n.kids[0]));
      llvm::BasicBlock* from_a = b_.GetInsertBlock();
      llvm::BasicBlock* rhs = Block(is_and ? "and.rhs" : "or.rhs");
      llvm::BasicBlock* done = Block(is_and ? "and.done" : "or.done");
      if (is_and) {
        b_.CreateCondBr(a, rhs, done);
      } else {
        b_.CreateCondBr(a, done, rhs);
      }
      b_.SetInsertPoint(rhs);
      llvm::Value* r = Truth(Emit(*n.kids[1]));
      llvm::BasicBlock* from_r = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::PHINode* p = b_.CreatePHI(b_.getInt1Ty(), 2);
      p->addIncoming(b_.getInt1(!is_and), from_a);
      p->addIncoming(r, from_r);
      return Bool(p);
    }
    case ir::Op::kArith: {
      const TypeId l = n.kids[0]->type;
      const TypeId r = n.kids[1]->type;
      if (l == TypeTable::kIntId && r == TypeTable::kIntId && n.arith != ir::ArithOp::kDiv &&
          n.arith != ir::ArithOp::kMod) {
        const V x = Emit(*n.kids[0]);
        const V y = Emit(*n.kids[1]);
        const llvm::Intrinsic::ID id = n.arith == ir::ArithOp::kAdd   ? llvm::Intrinsic::sadd_with_overflow
                                       : n.arith == ir::ArithOp::kSub ? llvm::Intrinsic::ssub_with_overflow
                                                                      : llvm::Intrinsic::smul_with_overflow;
        llvm::Value* res = b_.CreateBinaryIntrinsic(id, x.bits, y.bits);
        BailIf(b_.CreateExtractValue(res, 1));
        return {x.tag, x.head, b_.CreateExtractValue(res, 0)};
      }
      if (l == TypeTable::kDecimalId && r == TypeTable::kDecimalId &&
          (n.arith == ir::ArithOp::kAdd || n.arith == ir::ArithOp::kSub)) {
        // Decimal::Add/Sub: the coefficients' sum (no 128-bit overflow), bailing out of range so
        // the interpreter's operation reports it.
        llvm::Value* x = Coefficient(Emit(*n.kids[0]));
        llvm::Value* y = Coefficient(Emit(*n.kids[1]));
        llvm::Value* c = n.arith == ir::ArithOp::kAdd ? b_.CreateAdd(x, y) : b_.CreateSub(x, y);
        BailIf(DecimalOutOfRange(c));
        return FromCoefficient(c);
      }
      if (l == TypeTable::kDateId && r == TypeTable::kDurationId &&
          (n.arith == ir::ArithOp::kAdd || n.arith == ir::ArithOp::kSub)) {
        const V date = Emit(*n.kids[0]);
        const V duration = Emit(*n.kids[1]);
        return AddDuration(date, duration, n.arith == ir::ArithOp::kSub);
      }
      break;
    }
    case ir::Op::kCompare: {
      const TypeId t = n.kids[0]->type;
      if (t == TypeTable::kIntId || t == TypeTable::kDateId) {
        const V x = Emit(*n.kids[0]);
        const V y = Emit(*n.kids[1]);
        switch (n.cmp) {
          case ir::CmpOp::kLt:
            return Bool(b_.CreateICmpSLT(x.bits, y.bits));
          case ir::CmpOp::kLe:
            return Bool(b_.CreateICmpSLE(x.bits, y.bits));
          case ir::CmpOp::kGt:
            return Bool(b_.CreateICmpSGT(x.bits, y.bits));
          case ir::CmpOp::kGe:
            return Bool(b_.CreateICmpSGE(x.bits, y.bits));
        }
      }
      if (t == TypeTable::kDecimalId && n.kids[1]->type == TypeTable::kDecimalId) {
        return DecimalCompare(n);
      }
      break;
    }
    case ir::Op::kEq: {
      const TypeId t = types.Unwrap(n.kids[0]->type);
      if ((t == TypeTable::kIntId || t == TypeTable::kBoolId || types.kind(t) == Kind::kEnum ||
           t == TypeTable::kDateId) &&
          !types.IsOptional(n.kids[0]->type) && !types.IsOptional(n.kids[1]->type)) {
        const V x = Emit(*n.kids[0]);
        const V y = Emit(*n.kids[1]);
        llvm::Value* eq = b_.CreateICmpEQ(x.bits, y.bits);
        return Bool(n.b != 0 ? b_.CreateNot(eq) : eq);
      }
      if (n.kids[0]->type == TypeTable::kDecimalId && n.kids[1]->type == TypeTable::kDecimalId) {
        return DecimalCompare(n);
      }
      break;
    }
    case ir::Op::kIn:
      return EmitIn(n);
    case ir::Op::kIsNone: {
      llvm::Value* none = IsNone(Emit(*n.kids[0]));
      return Bool(n.b != 0 ? b_.CreateNot(none) : none);
    }
    case ir::Op::kCoalesce: {
      const V a = Emit(*n.kids[0]);
      return Branch(
          IsNone(a), [&] { return Emit(*n.kids[1]); }, [&] { return a; });
    }
    case ir::Op::kIf:
      return Branch(
          Truth(Emit(*n.kids[0])), [&] { return Emit(*n.kids[1]); }, [&] { return Emit(*n.kids[2]); });
    case ir::Op::kDuration: {
      const V count = Emit(*n.kids[0]);
      return {b_.getInt8(Tag(Kind::kDuration)), b_.getInt64(static_cast<uint8_t>(n.a)), count.bits};
    }
    case ir::Op::kAggregate:
      return EmitAggregate(n);
    case ir::Op::kMatchEnum:
      return EmitMatchEnum(n);
    case ir::Op::kMatchOptional: {
      const V v = Emit(*n.kids[0]);
      return Branch(
          IsNone(v), [&] { return Emit(*n.kids[1]); },
          [&] {
            if (n.a != UINT32_MAX) {
              Store(v, Slot(n.a));
            }
            return Emit(*n.kids[2]);
          });
    }
    case ir::Op::kCallBuiltin:
      if (auto v = EmitBuiltin(n)) {
        return *v;
      }
      break;
    case ir::Op::kRecord:
    case ir::Op::kList:
    case ir::Op::kSet:
    case ir::Op::kWith:
      break;
  }
  // Every operand is evaluated first (these operations are strict), then the interpreter's
  // operation runs on the values.
  std::vector<V> operands;
  for (const auto& k : n.kids) {
    operands.push_back(Emit(*k));
  }
  return Operation(n, operands);
}

// Decimals compare as Decimal::Compare does: as their 128-bit coefficients (core/decimal.h). A
// constant side folds to an i128 constant.
auto FunctionLowering::DecimalCompare(const ir::Node& n) -> V {
  const V x = Emit(*n.kids[0]);
  const V y = Emit(*n.kids[1]);
  llvm::Value* a = Coefficient(x);
  llvm::Value* b = Coefficient(y);
  if (n.op == ir::Op::kEq) {
    llvm::Value* eq = b_.CreateICmpEQ(a, b);
    return Bool(n.b != 0 ? b_.CreateNot(eq) : eq);
  }
  switch (n.cmp) {
    case ir::CmpOp::kLt:
      return Bool(b_.CreateICmpSLT(a, b));
    case ir::CmpOp::kLe:
      return Bool(b_.CreateICmpSLE(a, b));
    case ir::CmpOp::kGt:
      return Bool(b_.CreateICmpSGT(a, b));
    case ir::CmpOp::kGe:
      break;
  }
  return Bool(b_.CreateICmpSGE(a, b));
}

auto FunctionLowering::EmitIn(const ir::Node& n) -> V {
  const TypeTable& types = l_.types();
  const ir::Node& coll = *n.kids[1];
  if (coll.op == ir::Op::kConst && types.kind(types.Unwrap(n.kids[0]->type)) == Kind::kEnum) {
    uint64_t mask = 0;
    bool fits = true;
    for (const Value& v : l_.ir().constants[coll.a].items()) {
      if (v.as_enum() >= 64) {
        fits = false;
      } else {
        mask |= uint64_t{1} << v.as_enum();
      }
    }
    if (fits) {
      // One bit test; `none` is in no set. The shift stays below 64: ordinals of a set that fits.
      // A value of a type without `?` is never none (as for `==` on enums), and an enum of at most
      // 64 members has no ordinal out of range: those tests are left out when they cannot fail.
      const TypeId elem = n.kids[0]->type;
      const V x = Emit(*n.kids[0]);
      llvm::Value* shift = b_.CreateAnd(x.bits, b_.getInt64(63));
      llvm::Value* found = b_.CreateICmpNE(
          b_.CreateAnd(b_.CreateLShr(b_.getInt64(mask), shift), b_.getInt64(1)), b_.getInt64(0));
      if (types.enum_info(types.Unwrap(elem)).variants.size() > 64) {
        found = b_.CreateAnd(b_.CreateICmpULT(x.bits, b_.getInt64(64)), found);
      }
      if (types.kind(elem) != Kind::kEnum) {
        found = b_.CreateAnd(b_.CreateNot(IsNone(x)), found);
      }
      return Bool(n.b != 0 ? b_.CreateNot(found) : found);
    }
  }
  const V x = Emit(*n.kids[0]);
  const V c = Emit(coll);
  return Operation(n, {x, c});
}

auto FunctionLowering::EmitMatchEnum(const ir::Node& n) -> V {
  const V v = Emit(*n.kids[0]);
  llvm::BasicBlock* done = Block("match.done");
  std::vector<llvm::BasicBlock*> arms(n.kids.size(), nullptr);
  for (size_t a = 1; a < n.kids.size(); ++a) {
    arms[a] = Block("match.arm");
  }
  llvm::BasicBlock* dispatch = Block("match.dispatch");
  llvm::BasicBlock* none_target = n.b >= 1 && n.b < n.kids.size() ? arms[n.b] : Bail();
  b_.CreateCondBr(IsNone(v), none_target, dispatch);
  b_.SetInsertPoint(dispatch);
  llvm::SwitchInst* sw = b_.CreateSwitch(v.bits, Bail(), static_cast<unsigned>(n.table.size()));
  for (size_t ordinal = 0; ordinal < n.table.size(); ++ordinal) {
    const uint32_t arm = n.table[ordinal];
    if (arm >= 1 && arm < n.kids.size()) {
      sw->addCase(b_.getInt64(ordinal), arms[arm]);
    }
  }
  std::vector<std::pair<V, llvm::BasicBlock*>> results;
  for (size_t a = 1; a < n.kids.size(); ++a) {
    b_.SetInsertPoint(arms[a]);
    if (a < n.bind.size() && n.bind[a] != UINT32_MAX) {
      Store(v, Slot(n.bind[a]));  // some(x): x is the value itself (optionals are unboxed)
    }
    const V r = Emit(*n.kids[a]);
    results.emplace_back(r, b_.GetInsertBlock());
    b_.CreateBr(done);
  }
  b_.SetInsertPoint(done);
  const auto phi = [&](auto part) -> llvm::Value* {
    llvm::PHINode* p = b_.CreatePHI(part(results[0].first)->getType(), static_cast<unsigned>(results.size()));
    for (const auto& [value, from] : results) {
      p->addIncoming(part(value), from);
    }
    return p;
  };
  return {phi([](const V& x) { return x.tag; }), phi([](const V& x) { return x.head; }),
          phi([](const V& x) { return x.bits; })};
}

}  // namespace policy::jit

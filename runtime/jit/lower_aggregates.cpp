// Quantifiers and aggregates: the only loops in lowered code. Apart because of what a loop
// changes: a step charge in its body is checked exactly (loop_depth_, see Charge), and a
// collection known at compile time is unrolled instead.
#include "runtime/jit/lowering.h"

#include <llvm/IR/Intrinsics.h>

#include <span>
#include <tuple>

namespace policy::jit {

auto FunctionLowering::Items(const V& list) -> std::pair<llvm::Value*, llvm::Value*> {
  // Value::items(): a record or list has items; any other value (none) has none.
  llvm::Value* is_agg = b_.CreateOr(b_.CreateICmpEQ(list.tag, b_.getInt8(Tag(Kind::kList))),
                                    b_.CreateICmpEQ(list.tag, b_.getInt8(Tag(Kind::kRecord))));
  llvm::BasicBlock* from = b_.GetInsertBlock();
  llvm::BasicBlock* read = Block("items");
  llvm::BasicBlock* done = Block("items.done");
  b_.CreateCondBr(is_agg, read, done);
  b_.SetInsertPoint(read);
  llvm::Value* obj = b_.CreateIntToPtr(list.bits, b_.getInt8PtrTy());
  llvm::Value* size =
      b_.CreateZExt(b_.CreateLoad(b_.getInt32Ty(), b_.CreateBitCast(obj, b_.getInt32Ty()->getPointerTo())),
                    b_.getInt64Ty());
  llvm::Value* data = ByteAt(obj, 8);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* n = b_.CreatePHI(b_.getInt64Ty(), 2);
  n->addIncoming(b_.getInt64(0), from);
  n->addIncoming(size, read);
  llvm::PHINode* d = b_.CreatePHI(b_.getInt8PtrTy(), 2);
  d->addIncoming(llvm::ConstantPointerNull::get(b_.getInt8PtrTy()), from);
  d->addIncoming(data, read);
  return {n, d};
}

auto FunctionLowering::EmitAggregate(const ir::Node& n) -> V {
  const TypeTable& types = l_.types();
  // A collection known when the policies are compiled (a constant, or a global such as Q2's
  // list of documents) with few items is unrolled below.
  constexpr size_t kMaxUnrolled = 16;
  std::span<const Value> known_items;
  const std::span<const Value>* known = nullptr;
  if (n.kids[0]->op == ir::Op::kConst || n.kids[0]->op == ir::Op::kGlobal) {
    const Value& c = n.kids[0]->op == ir::Op::kConst ? l_.ir().constants[n.kids[0]->a]
                                                     : l_.program().global_values()[n.kids[0]->a];
    known_items = c.items();
    if (known_items.size() <= kMaxUnrolled) {
      known = &known_items;
    }
  }
  llvm::Value* count = nullptr;
  llvm::Value* data = nullptr;
  if (known != nullptr) {
    count = b_.getInt64(known->size());
  } else {
    std::tie(count, data) = Items(Emit(*n.kids[0]));
  }
  Charge(count);
  const TypeId body_type = n.kids[1]->type;
  const bool decimal = types.Unwrap(n.type) == TypeTable::kDecimalId;
  if (n.agg == ir::AggOp::kSum && decimal && body_type != TypeTable::kDecimalId) {
    throw Unsupported{"a decimal sum of non-decimal values"};
  }

  llvm::Value* index = Counter();
  b_.CreateStore(b_.getInt64(0), index);
  llvm::Value* acc = Buffer(1);   // the running result
  llvm::Value* list = nullptr;    // filter and map: the list being built
  llvm::Value* kept = Counter();  // filter: items kept
  llvm::Value* first = Flag();
  b_.CreateStore(b_.getInt1(true), first);
  b_.CreateStore(b_.getInt64(0), kept);
  switch (n.agg) {
    case ir::AggOp::kAll:
      Store(Bool(b_.getInt1(true)), acc);
      break;
    case ir::AggOp::kAny:
      Store(Bool(b_.getInt1(false)), acc);
      break;
    case ir::AggOp::kCount:
      Store({b_.getInt8(Tag(Kind::kInt)), b_.getInt64(0), b_.getInt64(0)}, acc);
      break;
    case ir::AggOp::kSum:
      Store(decimal ? Const(Value::Dec(Decimal())) : Const(Value::Int(0)), acc);
      break;
    case ir::AggOp::kMin:
    case ir::AggOp::kMax:
      Store(Const(Value()), acc);
      break;
    case ir::AggOp::kFilter:
    case ir::AggOp::kMap: {
      llvm::Type* ptr = b_.getInt8PtrTy();
      llvm::FunctionType* t = llvm::FunctionType::get(ptr, {ptr, b_.getInt32Ty()}, false);
      llvm::Value* helper =
          b_.CreateIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(&PolicyJitNewList)), t->getPointerTo());
      // More than 2^32 items cannot be in a list; the helper refuses more than the limit anyway.
      llvm::Value* n32 = b_.CreateTrunc(
          b_.CreateSelect(b_.CreateICmpUGT(count, b_.getInt64(UINT32_MAX)), b_.getInt64(UINT32_MAX), count),
          b_.getInt32Ty());
      list = b_.CreateCall(t, helper, {state_, n32});
      BailIf(b_.CreateICmpEQ(list, llvm::ConstantPointerNull::get(b_.getInt8PtrTy())));
      break;
    }
  }

  llvm::BasicBlock* exit = Block("agg.exit");
  // One item: bound to the aggregate's variable, the body evaluated, the result updated; ends
  // in a branch to `next`, or to `exit` once `all`/`any` is decided.
  const auto step = [&](const V& item, llvm::Value* i, llvm::BasicBlock* next) {
    Store(item, Slot(n.a));
    const V x = Emit(*n.kids[1]);
    switch (n.agg) {
      case ir::AggOp::kAll:
      case ir::AggOp::kAny: {
        // The first false (all) or true (any) decides.
        const bool is_all = n.agg == ir::AggOp::kAll;
        llvm::BasicBlock* decided = Block("agg.decided");
        llvm::Value* t = Truth(x);
        b_.CreateCondBr(is_all ? b_.CreateNot(t) : t, decided, next);
        b_.SetInsertPoint(decided);
        Store(Bool(b_.getInt1(!is_all)), acc);
        b_.CreateBr(exit);
        break;
      }
      case ir::AggOp::kCount: {
        const V c = Load(acc);
        Store({c.tag, c.head, b_.CreateAdd(c.bits, b_.CreateZExt(Truth(x), b_.getInt64Ty()))}, acc);
        b_.CreateBr(next);
        break;
      }
      case ir::AggOp::kSum: {
        const V total = Load(acc);
        if (decimal) {
          // Decimal::Add on the coefficients; out of range bails to the interpreter, which reports it.
          llvm::Value* c = b_.CreateAdd(Coefficient(total), Coefficient(x));
          BailIf(DecimalOutOfRange(c));
          Store(FromCoefficient(c), acc);
        } else {
          llvm::Value* res =
              b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, total.bits, x.bits);
          BailIf(b_.CreateExtractValue(res, 1));
          Store({total.tag, total.head, b_.CreateExtractValue(res, 0)}, acc);
        }
        b_.CreateBr(next);
        break;
      }
      case ir::AggOp::kMin:
      case ir::AggOp::kMax: {
        const bool is_min = n.agg == ir::AggOp::kMin;
        llvm::BasicBlock* take = Block("agg.take");
        llvm::BasicBlock* compare = Block("agg.compare");
        b_.CreateCondBr(b_.CreateLoad(b_.getInt1Ty(), first), take, compare);
        b_.SetInsertPoint(compare);
        const V best = Load(acc);
        llvm::Value* better = nullptr;
        if (body_type == TypeTable::kIntId || body_type == TypeTable::kDateId) {
          better = is_min ? b_.CreateICmpSLT(x.bits, best.bits) : b_.CreateICmpSGT(x.bits, best.bits);
        } else {
          ir::Node cmp = BinaryOnLocals(ir::Op::kCompare, TypeTable::kBoolId, body_type, n.span);
          cmp.cmp = is_min ? ir::CmpOp::kLt : ir::CmpOp::kGt;
          better = Truth(Operation(cmp, {x, best}));
        }
        b_.CreateCondBr(better, take, next);
        b_.SetInsertPoint(take);
        Store(x, acc);
        b_.CreateStore(b_.getInt1(false), first);
        b_.CreateBr(next);
        break;
      }
      case ir::AggOp::kFilter: {
        llvm::BasicBlock* keep = Block("agg.keep");
        b_.CreateCondBr(Truth(x), keep, next);
        b_.SetInsertPoint(keep);
        llvm::Value* k = b_.CreateLoad(b_.getInt64Ty(), kept);
        // Two word stores per item (constants, for a filter over a constant set), not three narrow ones.
        Store(item, ByteAt(list, b_.CreateAdd(b_.getInt64(8), b_.CreateMul(k, b_.getInt64(16)))));
        b_.CreateStore(b_.CreateAdd(k, b_.getInt64(1)), kept);
        b_.CreateBr(next);
        break;
      }
      case ir::AggOp::kMap:
        Store(x, ByteAt(list, b_.CreateAdd(b_.getInt64(8), b_.CreateMul(i, b_.getInt64(16)))));
        b_.CreateBr(next);
        break;
    }
  };
  if (known != nullptr) {
    // Unrolled: each item is a constant, so LLVM specialises the body to it (a `match` on the
    // item keeps one arm, a call inlined on it folds).
    for (size_t k = 0; k < known->size(); ++k) {
      llvm::BasicBlock* next = Block("agg.next");
      step(Const((*known)[k]), b_.getInt64(k), next);
      b_.SetInsertPoint(next);
    }
    b_.CreateBr(exit);
  } else {
    llvm::BasicBlock* header = Block("agg.header");
    llvm::BasicBlock* body = Block("agg.body");
    llvm::BasicBlock* next = Block("agg.next");
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::Value* i = b_.CreateLoad(b_.getInt64Ty(), index);
    b_.CreateCondBr(b_.CreateICmpULT(i, count), body, exit);
    b_.SetInsertPoint(body);
    ++loop_depth_;  // a constant charge in the body grows with the items (see Charge)
    step(Load(ByteAt(data, b_.CreateMul(i, b_.getInt64(16)))), i, next);
    --loop_depth_;
    b_.SetInsertPoint(next);
    b_.CreateStore(b_.CreateAdd(i, b_.getInt64(1)), index);
    b_.CreateBr(header);
  }

  b_.SetInsertPoint(exit);
  if (n.agg == ir::AggOp::kFilter) {
    b_.CreateStore(b_.CreateTrunc(b_.CreateLoad(b_.getInt64Ty(), kept), b_.getInt32Ty()),
                   b_.CreateBitCast(list, b_.getInt32Ty()->getPointerTo()));
  }
  if (n.agg == ir::AggOp::kFilter || n.agg == ir::AggOp::kMap) {
    return {b_.getInt8(Tag(Kind::kList)), b_.getInt64(0), b_.CreatePtrToInt(list, b_.getInt64Ty())};
  }
  return Load(acc);
}

}  // namespace policy::jit

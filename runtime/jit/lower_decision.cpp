// The shape of a lowered decision or function: its frame, then the rules in order, exceptions,
// the default and the effective periods. Apart from the expressions because here the
// interpreter's semantics of a decision (conflicts, not applicable, not in effect) are restated,
// and must be read against runtime/vm.
#include "runtime/jit/lowering.h"

namespace policy::jit {

FunctionLowering::FunctionLowering(Lowering& l, llvm::Function* fn, uint32_t num_slots)
    : l_(l), ctx_(fn->getContext()), fn_(fn), b_(fn->getContext()), num_slots_(num_slots) {
  state_ = fn->getArg(0);
  args_ = fn->getArg(1);
  out_ = fn->getArg(2);
  llvm::BasicBlock* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
  b_.SetInsertPoint(entry);
  slots_ = Buffer(num_slots_);
  steps_ = Counter();
  b_.CreateStore(b_.getInt64(0), steps_);
  as_of_ = b_.CreateSExt(
      b_.CreateLoad(b_.getInt32Ty(), b_.CreateBitCast(ByteAt(state_, offsetof(vm::NativeState, as_of)),
                                                      b_.getInt32Ty()->getPointerTo())),
      b_.getInt64Ty());
  entry_as_of_ = as_of_;
}

void FunctionLowering::LowerFunction(const ir::Function& f) {
  roots_.assign(num_slots_, -1);
  for (uint32_t i = 0; i < f.num_params; ++i) {
    Store(Load(ByteAt(args_, int64_t{16} * i)), Slot(i));
    roots_[i] = static_cast<int32_t>(i);
  }
  Store(Emit(*f.body), out_);
  Return(vm::kNativeValue);
}

void FunctionLowering::LowerDecision(const ir::Decision& d) {
  // Period::Contains, as machine code over the evaluation date.
  const auto within = [&](const Period& p) -> llvm::Value* {
    llvm::Value* ok = b_.getInt1(true);
    if (p.from) {
      ok = b_.CreateAnd(
          ok, b_.CreateICmpSGE(AsOf(), b_.getInt64(static_cast<uint64_t>(int64_t{p.from->days()}))));
    }
    if (p.until) {
      ok = b_.CreateAnd(
          ok, b_.CreateICmpSLE(AsOf(), b_.getInt64(static_cast<uint64_t>(int64_t{p.until->days()}))));
    }
    return ok;
  };
  // When the decision is in effect (ir::Decision::InEffectPeriods).
  llvm::Value* in_effect = b_.getInt1(false);
  for (const Period& p : d.InEffectPeriods()) {
    in_effect = b_.CreateOr(in_effect, within(p));  // constants fold: an unbounded period is `true`
  }
  llvm::BasicBlock* not_in_effect = Block("not_in_effect");
  llvm::BasicBlock* start = Block("rules");
  b_.CreateCondBr(in_effect, start, not_in_effect);
  b_.SetInsertPoint(not_in_effect);
  Return(vm::kNativeNotInEffect);
  b_.SetInsertPoint(start);
  roots_.assign(num_slots_, -1);
  for (size_t i = 0; i < d.params.size(); ++i) {
    Store(Load(ByteAt(args_, static_cast<int64_t>(16 * i))), Slot(static_cast<uint32_t>(i)));
    roots_[i] = static_cast<int32_t>(i);
  }
  // Rules defeated by an applicable exception, and the result so far.
  std::vector<llvm::Value*> defeated(d.rules.size(), nullptr);
  for (const ir::Rule& r : d.rules) {
    for (const uint32_t o : r.overrides) {
      if (o < defeated.size() && defeated[o] == nullptr) {
        defeated[o] = Flag();
        b_.CreateStore(b_.getInt1(false), defeated[o]);
      }
    }
  }
  llvm::Value* has_result = Flag();
  b_.CreateStore(b_.getInt1(false), has_result);
  llvm::Value* result = Buffer(1);
  Store(Const(Value()), result);

  for (size_t i = 0; i < d.rules.size(); ++i) {
    const ir::Rule& rule = d.rules[i];
    llvm::BasicBlock* next = Block("rule.next");
    if (defeated[i] != nullptr) {
      llvm::BasicBlock* live = Block("rule.live");
      b_.CreateCondBr(b_.CreateLoad(b_.getInt1Ty(), defeated[i]), next, live);
      b_.SetInsertPoint(live);
    }
    if (rule.effective.IsBounded()) {
      llvm::BasicBlock* effective = Block("rule.effective");
      b_.CreateCondBr(within(rule.effective), effective, next);
      b_.SetInsertPoint(effective);
    }
    for (const ir::Conjunct& c : rule.when) {
      llvm::BasicBlock* holds = Block("rule.holds");
      b_.CreateCondBr(Truth(Emit(*c.cond)), holds, next);
      b_.SetInsertPoint(holds);
    }
    const V v = Emit(*rule.then);
    for (const uint32_t o : rule.overrides) {
      if (o < defeated.size()) {
        b_.CreateStore(b_.getInt1(true), defeated[o]);
      }
    }
    llvm::BasicBlock* first = Block("rule.first");
    llvm::BasicBlock* again = Block("rule.again");
    b_.CreateCondBr(b_.CreateLoad(b_.getInt1Ty(), has_result), again, first);
    b_.SetInsertPoint(first);
    Store(v, result);
    b_.CreateStore(b_.getInt1(true), has_result);
    b_.CreateBr(next);
    // A second applicable rule must agree, or it is a conflict (reported by the interpreter).
    b_.SetInsertPoint(again);
    BailIf(b_.CreateNot(Equal(d.result, Load(result), v)));
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
  }
  llvm::BasicBlock* decided = Block("decided");
  llvm::BasicBlock* none = Block("no_rule");
  b_.CreateCondBr(b_.CreateLoad(b_.getInt1Ty(), has_result), decided, none);
  b_.SetInsertPoint(none);
  if (d.default_value) {
    Store(Emit(*d.default_value), result);
    b_.CreateBr(decided);
  } else {
    Return(vm::kNativeNotApplicable);
  }
  b_.SetInsertPoint(decided);
  Store(Load(result), out_);
  Return(vm::kNativeValue);
}

}  // namespace policy::jit

// Every way lowered code leaves itself: an interpreter operation, a C helper, a call to another
// decision (memoised when its arguments are parameters) or function (inlined when small), and
// `e as of d`, which changes the date callees read. Kept together because each must keep the
// step count exact and NativeState right across the call (Charge, NativeState).
#include "runtime/jit/lowering.h"

namespace policy::jit {

auto FunctionLowering::Operation(const ir::Node& n, const std::vector<V>& operands) -> V {
  // The same node with its operands in slots 0..k-1, compiled by the interpreter.
  ir::Node op;
  op.op = n.op;
  op.type = n.type;
  op.span = n.span;
  op.a = n.a;
  op.b = n.b;
  op.arith = n.arith;
  op.cmp = n.cmp;
  op.agg = n.agg;
  op.paths = n.paths;
  op.table = n.table;
  op.bind = n.bind;
  for (size_t i = 0; i < n.kids.size(); ++i) {
    auto local = std::make_unique<ir::Node>();
    local->op = ir::Op::kLocal;
    local->type = n.kids[i]->type;
    local->span = n.kids[i]->span;
    local->a = static_cast<uint32_t>(i);
    op.kids.push_back(std::move(local));
  }
  const vm::Code* code = l_.AddOperation(l_.program().CompileOperation(op));
  llvm::Value* in = Buffer(static_cast<uint32_t>(operands.size()));
  for (size_t i = 0; i < operands.size(); ++i) {
    Store(operands[i], ByteAt(in, static_cast<int64_t>(16 * i)));
  }
  llvm::Value* out = Buffer(1);
  llvm::Type* ptr = b_.getInt8PtrTy();
  llvm::FunctionType* helper_type = llvm::FunctionType::get(b_.getInt32Ty(), {ptr, ptr, ptr, ptr}, false);
  llvm::Value* helper = b_.CreateIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(&PolicyJitOperation)),
                                          helper_type->getPointerTo());
  llvm::Value* op_ptr = b_.CreateIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(code)), ptr);
  llvm::Value* ok = b_.CreateCall(helper_type, helper, {state_, op_ptr, in, out});
  BailIf(b_.CreateICmpEQ(ok, b_.getInt32(0)));
  return Load(out);
}

// A binary IR node over slots 0 and 1 of type `operand`, for an interpreter operation that has no
// node of its own in the program (the equality of two rules' results, a running sum, min/max).
auto BinaryOnLocals(ir::Op op, TypeId result, TypeId operand, Span span) -> ir::Node {
  ir::Node n;
  n.op = op;
  n.type = result;
  n.span = span;
  for (uint32_t i = 0; i < 2; ++i) {
    auto local = std::make_unique<ir::Node>();
    local->op = ir::Op::kLocal;
    local->type = operand;
    local->a = i;
    n.kids.push_back(std::move(local));
  }
  return n;
}

auto FunctionLowering::Call(llvm::Function* callee, const std::vector<V>& args) -> V {
  Charge(b_.getInt64(1));
  llvm::Value* in = Buffer(static_cast<uint32_t>(args.size()));
  for (size_t i = 0; i < args.size(); ++i) {
    Store(args[i], ByteAt(in, static_cast<int64_t>(16 * i)));
  }
  llvm::Value* out = Buffer(1);
  // The callee's base is every step taken so far; ours is put back for our own caller.
  b_.CreateStore(b_.CreateAdd(Base(), b_.CreateLoad(b_.getInt64Ty(), steps_)), StateBase());
  llvm::Value* status = b_.CreateCall(l_.fn_type(), callee, {state_, in, out});
  b_.CreateStore(Base(), StateBase());
  // A callee that does not give a value (not applicable, not in effect) is an error for its
  // caller, which the interpreter reports.
  BailIf(b_.CreateICmpNE(status, b_.getInt32(vm::kNativeValue)));
  Charge(b_.CreateLoad(b_.getInt64Ty(), StateSteps()));
  return Load(out);
}

// A call to a C helper of runtime_helpers.cpp, by address.
auto FunctionLowering::Helper(void* fn, llvm::Type* result, const std::vector<llvm::Value*>& args)
    -> llvm::Value* {
  std::vector<llvm::Type*> params;
  for (llvm::Value* a : args) {
    params.push_back(a->getType());
  }
  llvm::FunctionType* t = llvm::FunctionType::get(result, params, false);
  llvm::Value* callee = b_.CreateIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(fn)), t->getPointerTo());
  llvm::CallInst* call = b_.CreateCall(t, callee, args);
  call->setDoesNotAccessMemory();
  call->setDoesNotThrow();
  return call;
}

// A function's body emitted in place of a call to it, its parameters in a frame of its own:
// LLVM then sees through it (constant arguments fold, fields are read once). Small functions
// only, and only so deep, so a decision's code stays proportional to its source.
auto FunctionLowering::Inline(uint32_t function, const std::vector<V>& args,
                              const std::vector<int32_t>& roots) -> std::optional<V> {
  constexpr uint32_t kMaxDepth = 6;
  constexpr size_t kMaxBodyNodes = 160;
  constexpr size_t kMaxNodesPerDecision = 6000;
  const ir::Function& f = l_.ir().functions[function];
  if (inline_depth_ >= kMaxDepth || emitted_nodes_ > kMaxNodesPerDecision || f.body == nullptr ||
      Lowering::Size(*f.body) > kMaxBodyNodes) {
    return std::nullopt;
  }
  Charge(b_.getInt64(1));  // a call is a step, inlined or not
  llvm::Value* saved_slots = slots_;
  const uint32_t saved_count = num_slots_;
  num_slots_ = Lowering::SlotsOf(f);
  slots_ = Buffer(num_slots_);
  std::vector<int32_t> saved_roots(num_slots_, -1);
  saved_roots.swap(roots_);
  for (uint32_t i = 0; i < f.num_params && i < args.size(); ++i) {
    Store(args[i], Slot(i));
    roots_[i] = roots[i];
  }
  ++inline_depth_;
  const V v = Emit(*f.body);
  --inline_depth_;
  slots_ = saved_slots;
  num_slots_ = saved_count;
  roots_.swap(saved_roots);
  return v;
}

auto FunctionLowering::RootsOf(const ir::Node& call) const -> std::vector<int32_t> {
  std::vector<int32_t> roots;
  for (const auto& k : call.kids) {
    roots.push_back(k->op == ir::Op::kLocal && k->a < roots_.size() ? roots_[k->a] : -1);
  }
  return roots;
}

auto FunctionLowering::CallDecision(uint32_t decision, const std::vector<V>& args,
                                    const std::vector<int32_t>& roots) -> V {
  llvm::Function* callee = l_.Decision(decision);
  // Under `as of` the callee answers for another date than the memo's: no memo there.
  if (as_of_depth_ > 0 || std::find(roots.begin(), roots.end(), -1) != roots.end()) {
    return Call(callee, args);
  }
  auto [it, fresh] = memos_.try_emplace({decision, roots});
  Memo& memo = it->second;
  if (fresh) {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    memo.done = entry.CreateAlloca(entry.getInt1Ty());
    memo.steps = entry.CreateAlloca(entry.getInt64Ty());
    memo.result = Buffer(1);
    entry.SetInsertPoint(&fn_->getEntryBlock(),
                         std::next(llvm::cast<llvm::Instruction>(memo.done)->getIterator()));
    entry.CreateStore(entry.getInt1(false), memo.done);
  }
  llvm::BasicBlock* first = Block("decision.first");
  llvm::BasicBlock* again = Block("decision.again");
  llvm::BasicBlock* done = Block("decision.done");
  b_.CreateCondBr(b_.CreateLoad(b_.getInt1Ty(), memo.done), again, first);
  b_.SetInsertPoint(first);
  llvm::Value* before = b_.CreateLoad(b_.getInt64Ty(), steps_);
  Store(Call(callee, args), memo.result);
  b_.CreateStore(b_.CreateSub(b_.CreateLoad(b_.getInt64Ty(), steps_), before), memo.steps);
  b_.CreateStore(b_.getInt1(true), memo.done);
  b_.CreateBr(done);
  b_.SetInsertPoint(again);
  Charge(b_.CreateLoad(b_.getInt64Ty(), memo.steps));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  return Load(memo.result);
}

auto FunctionLowering::EmitAsOfDate(const ir::Node& n) -> V {
  const V date = Emit(*n.kids[1]);
  llvm::Value* const state_date = StateField(offsetof(vm::NativeState, as_of));
  if (!bail_restores_date_) {
    // Giving up inside `e` must leave the caller's date in the state, for the interpreter that
    // answers instead (and the API's Decide, which sets the date once for many cases).
    bail_restores_date_ = true;
    llvm::IRBuilder<> b(Bail()->getTerminator());
    b.CreateStore(entry_as_of_, b.CreateBitCast(b.CreateGEP(b.getInt8Ty(), state_,
                                                            b.getInt64(offsetof(vm::NativeState, as_of))),
                                                b.getInt64Ty()->getPointerTo()));
  }
  llvm::Value* const saved = as_of_;
  as_of_ = date.bits;
  b_.CreateStore(date.bits, state_date);
  ++as_of_depth_;
  const V v = Emit(*n.kids[0]);
  --as_of_depth_;
  as_of_ = saved;
  b_.CreateStore(saved, StateField(offsetof(vm::NativeState, as_of)));
  return v;
}

}  // namespace policy::jit

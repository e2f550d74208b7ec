// IR -> LLVM IR -> machine code (ORC LLJIT). See jit.h for what is inlined and what calls the
// interpreter's operations, and runtime/vm/eval.h for the contract with the interpreter.
//
// Size: 1,850 lines, not yet split by job. It holds three jobs: the runtime helpers native code
// calls, the lowering (`Lowering`, `FunctionLowering`: IR -> LLVM IR, one class whose methods
// share the IR builder's state) and the ORC session (the two tiers, the background compile).
// The planned cut (issue 21) is a private `lowering.h` with `lower_*.cpp` by kind of node, and
// `session.cpp` for ORC; until then, read it by its `// ----` section headers.
#include "runtime/jit/jit.h"

#include "core/builtins.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/JITEventListener.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/ExecutionEngine/SectionMemoryManager.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Object/SymbolSize.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <tuple>

#include <unistd.h>

namespace policy::jit {
namespace {

// ---- what native code calls ------------------------------------------------------------------

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

// The month sums one call of a decision has computed, in its native frame. The same sum is often
// asked for twice: D3's exception computes `entry + n months` and `entry + 72 months` for its
// condition, and the rule it overrides computes them again for its value. An expression memo in
// the lowering caught these too but doubled the compile time (docs/jit.md); this costs one
// store per call and a few compares per sum. `count` is zeroed on entry to the function.
struct MonthsCache {
  static constexpr int64_t kEntries = 4;
  int64_t count;  // sums stored so far; past kEntries, the oldest entry is replaced
  int64_t days[kEntries];
  int64_t months[kEntries];
  int64_t result[kEntries];
};

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

// The machine code and everything it points to: the interpreter operations it calls. Constants
// and globals it points to belong to the CompiledProgram that owns this object.
//
// With JitTier::kTiered it holds two compiled copies of the same lowering: the quick one, which
// answers from the start, and the optimised one, which a background thread compiles and then
// publishes by replacing each decision's entry (release; readers load with acquire). The quick
// code is never freed before this object: an evaluation may still be running it.
class LlvmCode final : public vm::NativeCode {
 public:
  explicit LlvmCode(size_t decisions) : entries(new std::atomic<vm::NativeFn>[decisions]), count(decisions) {
    for (size_t d = 0; d < count; ++d) {
      entries[d].store(nullptr, std::memory_order_relaxed);
    }
  }
  // Stops the background compile at its next step and waits for it: its code and the operations
  // it calls die with this object.
  ~LlvmCode() override {
    cancel.store(true, std::memory_order_relaxed);
    if (optimizer.joinable()) {
      optimizer.join();
    }
  }
  LlvmCode(const LlvmCode&) = delete;
  auto operator=(const LlvmCode&) -> LlvmCode& = delete;

  auto Entry(uint32_t decision) const -> const std::atomic<vm::NativeFn>* override {
    return decision < count && entries[decision].load(std::memory_order_acquire) != nullptr
               ? &entries[decision]
               : nullptr;
  }
  auto WaitForOptimizedCode() const -> vm::OptimizedCode override {
    std::unique_lock lock(mutex);
    finished.wait(lock, [&] { return optimized_done; });
    return optimized_status;
  }
  // Called once by whichever thread compiled the optimised code (or gave up).
  void FinishOptimized(vm::OptimizedCode status) {
    {
      std::lock_guard lock(mutex);
      optimized_status = std::move(status);
      optimized_done = true;
    }
    finished.notify_all();
  }

  // The code that answers from the start: the quick code, or for kOptimized the optimised code.
  std::unique_ptr<llvm::orc::LLJIT> first;
  std::unique_ptr<llvm::orc::LLJIT> optimized;  // written by the background compile only
  std::vector<vm::OperationPtr> operations;
  std::unique_ptr<std::atomic<vm::NativeFn>[]> entries;
  size_t count;
  std::thread optimizer;
  std::atomic<bool> cancel{false};

 private:
  mutable std::mutex mutex;
  mutable std::condition_variable finished;
  bool optimized_done = false;
  vm::OptimizedCode optimized_status;
};

// A construct the backend does not lower: the decision runs on the interpreter.
struct Unsupported {
  std::string reason;
};

constexpr uint8_t Tag(Kind t) {
  return static_cast<uint8_t>(t);
}

// A value in registers: the three parts of a policy::Value (value.h).
struct V {
  llvm::Value* tag;    // i8
  llvm::Value* small;  // i8: decimal scale or duration unit
  llvm::Value* bits;   // i64: the payload, or a pointer
};

class Lowering;

// Lowers one decision or function body into one llvm::Function.
class FunctionLowering {
 public:
  FunctionLowering(Lowering& l, llvm::Function* fn, uint32_t num_slots);

  auto Emit(const ir::Node& n) -> V;
  void LowerDecision(const ir::Decision& d);
  void LowerFunction(const ir::Function& f);

 private:
  // ---- values in memory: [tag i8][small i8][pad][bits i64], 16 bytes ----
  auto ByteAt(llvm::Value* base, int64_t offset) -> llvm::Value* {
    return offset == 0 ? base : b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), base, offset);
  }
  auto ByteAt(llvm::Value* base, llvm::Value* offset) -> llvm::Value* {
    return b_.CreateInBoundsGEP(b_.getInt8Ty(), base, offset);
  }
  auto Load(llvm::Value* p) -> V {
    llvm::Value* bits_ptr = b_.CreateBitCast(ByteAt(p, 8), b_.getInt64Ty()->getPointerTo());
    return {b_.CreateLoad(b_.getInt8Ty(), p), b_.CreateLoad(b_.getInt8Ty(), ByteAt(p, 1)),
            b_.CreateLoad(b_.getInt64Ty(), bits_ptr)};
  }
  void Store(const V& v, llvm::Value* p) {
    b_.CreateStore(v.tag, p);
    b_.CreateStore(v.small, ByteAt(p, 1));
    b_.CreateStore(v.bits, b_.CreateBitCast(ByteAt(p, 8), b_.getInt64Ty()->getPointerTo()));
  }
  // The same as two 8-byte stores (the padding bytes written as zero), for a value read soon
  // after by other code: a decision's result (its caller's Load, Evaluator::Decide's look at
  // the tag), a list's items. A load is served from an earlier store still in flight only when
  // one store covers it. Three narrow stores made C++'s 16-byte copy of a result wait for them
  // to reach the cache (about 4 ns a decision); one 16-byte vector store made the narrow loads
  // of the tag and the bits wait instead (a fifth of D1's time in Decide, on AMD Zen). Two
  // words serve every narrow load; C++ reads results in place (Decide) or as words.
  void StoreWhole(const V& v, llvm::Value* p) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* head = b_.CreateOr(b_.CreateZExt(v.tag, i64), b_.CreateShl(b_.CreateZExt(v.small, i64), 8));
    b_.CreateStore(head, b_.CreateBitCast(p, i64->getPointerTo()));
    b_.CreateStore(v.bits, b_.CreateBitCast(ByteAt(p, 8), i64->getPointerTo()));
  }
  auto Slot(uint32_t i) -> llvm::Value* {
    if (i >= num_slots_) {
      throw Unsupported{"a slot beyond the frame (internal)"};
    }
    return ByteAt(slots_, int64_t{16} * i);
  }
  // An entry-block buffer of `n` values (operands, results).
  auto Buffer(uint32_t n) -> llvm::Value* {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    llvm::AllocaInst* a = entry.CreateAlloca(llvm::ArrayType::get(entry.getInt8Ty(), 16 * std::max(n, 1U)));
    a->setAlignment(llvm::Align(8));
    return entry.CreateBitCast(a, entry.getInt8PtrTy());
  }
  // An entry-block boolean; the caller stores its starting value where it is needed.
  auto Flag() -> llvm::Value* {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    return entry.CreateAlloca(entry.getInt1Ty());
  }
  auto Counter() -> llvm::Value* {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    return entry.CreateAlloca(entry.getInt64Ty());
  }

  auto Const(const Value& v) -> V {
    uint8_t raw[16];
    std::memcpy(raw, &v, sizeof raw);
    int64_t bits = 0;
    std::memcpy(&bits, raw + 8, sizeof bits);
    return {b_.getInt8(raw[0]), b_.getInt8(raw[1]), b_.getInt64(static_cast<uint64_t>(bits))};
  }
  auto Bool(llvm::Value* i1) -> V {
    return {b_.getInt8(Tag(Kind::kBool)), b_.getInt8(0), b_.CreateZExt(i1, b_.getInt64Ty())};
  }
  auto Truth(const V& v) -> llvm::Value* { return b_.CreateICmpNE(v.bits, b_.getInt64(0)); }
  auto IsNone(const V& v) -> llvm::Value* { return b_.CreateICmpEQ(v.tag, b_.getInt8(Tag(Kind::kNone))); }

  auto Block(const char* name) -> llvm::BasicBlock* { return llvm::BasicBlock::Create(ctx_, name, fn_); }
  // The block that gives up: the interpreter answers instead.
  auto Bail() -> llvm::BasicBlock* {
    if (bail_ == nullptr) {
      bail_ = Block("bail");
      llvm::IRBuilder<> b(bail_);
      b.CreateRet(b.getInt32(vm::kNativeBail));
    }
    return bail_;
  }
  void BailIf(llvm::Value* cond) {
    llvm::BasicBlock* cont = Block("ok");
    b_.CreateCondBr(cond, Bail(), cont);
    b_.SetInsertPoint(cont);
  }
  auto Phi(const V& a, llvm::BasicBlock* from_a, const V& b, llvm::BasicBlock* from_b) -> V {
    const auto one = [&](llvm::Value* x, llvm::Value* y) -> llvm::Value* {
      if (x == y) {
        return x;
      }
      llvm::PHINode* p = b_.CreatePHI(x->getType(), 2);
      p->addIncoming(x, from_a);
      p->addIncoming(y, from_b);
      return p;
    };
    return {one(a.tag, b.tag), one(a.small, b.small), one(a.bits, b.bits)};
  }
  // `cond ? on_true() : on_false()`, each arm emitted in its own block and joined by phis.
  template <typename True, typename False>
  auto Branch(llvm::Value* cond, True on_true, False on_false) -> V {
    llvm::BasicBlock* t = Block("then");
    llvm::BasicBlock* f = Block("else");
    llvm::BasicBlock* done = Block("join");
    b_.CreateCondBr(cond, t, f);
    b_.SetInsertPoint(t);
    const V a = on_true();
    llvm::BasicBlock* from_a = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(f);
    const V b = on_false();
    llvm::BasicBlock* from_b = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    return Phi(a, from_a, b, from_b);
  }
  // Counts `n` steps against the budget, as the interpreter does for calls and aggregates.
  //
  // A function counts its own steps from zero (in a local, a register once optimised) and
  // returns that count in NativeState::steps; the steps taken before it came are in
  // NativeState::base. A constant charge outside a loop is checked against the budget alone, so
  // that in code without loops or calls LLVM folds the count and every check away (D1's two
  // calls of inlined functions cost nothing). What can grow without bound (an aggregate's items,
  // a charge in a loop body, the steps of a callee, a memo hit) is checked with the base added,
  // exactly as the interpreter counts. The constant charges a function made since its last
  // exact check are bounded by its size, and its caller (native code or the interpreter) adds
  // the function's count to its own and checks that exactly when it returns.
  void Charge(llvm::Value* n) {
    llvm::Value* steps = b_.CreateAdd(b_.CreateLoad(b_.getInt64Ty(), steps_), n);
    b_.CreateStore(steps, steps_);
    const bool bounded = llvm::isa<llvm::Constant>(n) && loop_depth_ == 0;
    llvm::Value* total = bounded ? steps : b_.CreateAdd(Base(), steps);
    BailIf(b_.CreateICmpUGT(total, b_.getInt64(vm::kMaxEvaluationSteps)));
  }
  auto StateField(int64_t offset) -> llvm::Value* {
    return b_.CreateBitCast(ByteAt(state_, offset), b_.getInt64Ty()->getPointerTo());
  }
  auto StateSteps() -> llvm::Value* { return StateField(offsetof(vm::NativeState, steps)); }
  auto StateBase() -> llvm::Value* { return StateField(offsetof(vm::NativeState, base)); }
  // NativeState::base as it was on entry, loaded there on first use.
  auto Base() -> llvm::Value* {
    if (base_ == nullptr) {
      llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
      base_ =
          entry.CreateLoad(entry.getInt64Ty(),
                           entry.CreateBitCast(entry.CreateGEP(entry.getInt8Ty(), state_, entry.getInt64(24)),
                                               entry.getInt64Ty()->getPointerTo()));
    }
    return base_;
  }
  void Return(vm::NativeStatus status) {
    b_.CreateStore(b_.CreateLoad(b_.getInt64Ty(), steps_), StateSteps());
    b_.CreateRet(b_.getInt32(status));
  }
  auto AsOf() -> llvm::Value* { return as_of_; }
  auto Items(const V& list) -> std::pair<llvm::Value*, llvm::Value*>;  // (count i64, data i8*)

  auto Operation(const ir::Node& n, const std::vector<V>& operands) -> V;
  auto Call(llvm::Function* callee, const std::vector<V>& args) -> V;
  auto CallDecision(uint32_t decision, const std::vector<V>& args, const std::vector<int32_t>& roots) -> V;
  auto Inline(uint32_t function, const std::vector<V>& args, const std::vector<int32_t>& roots)
      -> std::optional<V>;
  // For each argument node, the parameter of the function being lowered whose value it is (an
  // unchanged parameter, possibly passed down through inlined functions), or -1.
  auto RootsOf(const ir::Node& call) const -> std::vector<int32_t>;
  auto EmitBuiltin(const ir::Node& n) -> std::optional<V>;
  auto AddDuration(const V& date, const V& duration, bool subtract) -> V;
  // The calendar in IR, as core/date.cpp computes it in the computational calendar of
  // Neri and Schneider (years from 1 March, months 3..14). All i32, n < 2^30. The optimised
  // tier only: its code generator turns the divisions by constants into multiplications, where
  // the quick tier's emits real divisions (D2 took 92 ns instead of 61; docs/jit.md).
  struct Computational {
    llvm::Value* year;
    llvm::Value* month;
    llvm::Value* day;
  };
  auto ComputationalFromDays(llvm::Value* n) -> Computational;
  // (year << 16) | (month << 8) | day, as PolicyJitCivil returns it.
  auto Civil(llvm::Value* days) -> llvm::Value*;
  // PolicyJitAddMonthsCached on this function's MonthsCache (made on first use).
  auto AddMonthsCached(llvm::Value* days, llvm::Value* months) -> llvm::Value*;
  auto Helper(void* fn, llvm::Type* result, const std::vector<llvm::Value*>& args) -> llvm::Value*;
  auto EmitIn(const ir::Node& n) -> V;
  auto DecimalCompare(const ir::Node& n) -> V;
  auto EmitAggregate(const ir::Node& n) -> V;
  auto EmitMatchEnum(const ir::Node& n) -> V;
  auto Equal(TypeId type, const V& a, const V& b) -> llvm::Value*;

  Lowering& l_;
  llvm::LLVMContext& ctx_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;
  llvm::Value* state_;
  llvm::Value* args_;
  llvm::Value* out_;
  llvm::Value* slots_ = nullptr;
  llvm::Value* as_of_ = nullptr;
  llvm::Value* months_cache_ = nullptr;  // a MonthsCache, once a month sum is lowered
  llvm::Value* steps_ = nullptr;
  llvm::Value* base_ = nullptr;  // see Base()
  uint32_t loop_depth_ = 0;      // loops (not unrolled) around the code being emitted
  uint32_t num_slots_;
  llvm::BasicBlock* bail_ = nullptr;
  // Inlining of functions into this one: how deep, and how many IR nodes were emitted in all
  // (bounds the code a decision can grow to; past it, functions are called).
  uint32_t inline_depth_ = 0;
  size_t emitted_nodes_ = 0;
  // Per slot of the current frame: the parameter of the function being lowered that the slot
  // holds unchanged, or -1. A decision called on such arguments only gives the same answer for
  // the whole evaluation, which is what makes its memo below sound.
  std::vector<int32_t> roots_;
  // Decisions called on parameters only, by (decision, parameters): the first call's answer and
  // the steps it took, for the calls after it. The interpreter evaluates each call again; a
  // memo hit charges the steps the call took, so both count the same steps.
  struct Memo {
    llvm::Value* done;    // i1, false until the first call returns
    llvm::Value* result;  // the value
    llvm::Value* steps;   // i64, the steps the first call took
  };
  std::map<std::pair<uint32_t, std::vector<int32_t>>, Memo> memos_;
};

class Lowering {
 public:
  Lowering(const vm::CompiledProgram& program, llvm::LLVMContext& ctx, llvm::Module& module, LlvmCode& code,
           bool optimized)
      : program_(program), ir_(program.ir()), module_(module), code_(code), optimized_(optimized) {
    llvm::Type* ptr = llvm::Type::getInt8PtrTy(ctx);
    fn_type_ = llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), {ptr, ptr, ptr}, false);
    decisions_.resize(ir_.decisions.size());
    functions_.resize(ir_.functions.size());
  }

  auto optimized() const -> bool { return optimized_; }
  // The llvm::Function of decision `d`, lowering it (and its callees) first; throws Unsupported
  // when it or a callee cannot be lowered.
  auto Decision(uint32_t d) -> llvm::Function* {
    return Ensure(
        decisions_[d], "decision " + ir_.decisions[d].name, ir_.decisions[d].name,
        [&](FunctionLowering& f) { f.LowerDecision(ir_.decisions[d]); }, SlotsOf(ir_.decisions[d]));
  }
  auto Function(uint32_t i) -> llvm::Function* {
    return Ensure(
        functions_[i], "function " + ir_.functions[i].name, ir_.functions[i].name,
        [&](FunctionLowering& f) { f.LowerFunction(ir_.functions[i]); }, SlotsOf(ir_.functions[i]));
  }

  auto program() const -> const vm::CompiledProgram& { return program_; }
  // The supported range of dates, in days since 1970-01-01 (years 1 to 9999).
  auto min_days() const -> int64_t { return Date::FromCivil(Date::kMinYear, 1, 1)->days(); }
  auto max_days() const -> int64_t { return Date::FromCivil(Date::kMaxYear, 12, 31)->days(); }
  // [10^0, ..., 10^18] as i128, for aligning decimal scales.
  auto Pow10Table() -> llvm::Constant* {
    if (pow10_ == nullptr) {
      llvm::Type* i128 = llvm::Type::getInt128Ty(module_.getContext());
      std::vector<llvm::Constant*> powers;
      uint64_t p = 1;
      for (int i = 0; i <= Decimal::kMaxScale; ++i, p *= 10) {
        powers.push_back(llvm::ConstantInt::get(i128, p));
      }
      auto* type = llvm::ArrayType::get(i128, powers.size());
      auto* table = new llvm::GlobalVariable(module_, type, true, llvm::GlobalValue::PrivateLinkage,
                                             llvm::ConstantArray::get(type, powers), "pow10");
      pow10_ = llvm::ConstantExpr::getBitCast(table, i128->getPointerTo());
    }
    return pow10_;
  }
  // [10^0, ..., 10^18] as i64, then zeros up to index 255: indexed by a decimal's scale byte
  // itself, so no bounds check (a scale is at most Decimal::kMaxScale; the zeros are never read).
  auto Pow10Table64() -> llvm::Constant* {
    if (pow10_64_ == nullptr) {
      llvm::Type* i64 = llvm::Type::getInt64Ty(module_.getContext());
      std::vector<llvm::Constant*> powers;
      uint64_t p = 1;
      for (int i = 0; i < 256; ++i) {
        powers.push_back(llvm::ConstantInt::get(i64, i <= Decimal::kMaxScale ? p : 0));
        p = i < Decimal::kMaxScale ? p * 10 : 0;
      }
      auto* type = llvm::ArrayType::get(i64, powers.size());
      auto* table = new llvm::GlobalVariable(module_, type, true, llvm::GlobalValue::PrivateLinkage,
                                             llvm::ConstantArray::get(type, powers), "pow10_64");
      pow10_64_ = llvm::ConstantExpr::getBitCast(table, i64->getPointerTo());
    }
    return pow10_64_;
  }
  auto ir() const -> const ir::Program& { return ir_; }
  auto types() const -> const TypeTable& { return ir_.types; }
  auto fn_type() const -> llvm::FunctionType* { return fn_type_; }
  static auto SlotsOf(const ir::Function& f) -> uint32_t {
    uint32_t max = std::max(f.num_slots, f.num_params);
    MaxSlot(f.body.get(), max);
    return max;
  }
  // The number of IR nodes of `n`, for the inlining budget.
  static auto Size(const ir::Node& n) -> size_t {
    size_t size = 1;
    for (const auto& k : n.kids) {
      size += Size(*k);
    }
    return size;
  }
  auto AddOperation(vm::OperationPtr op) -> const vm::Code* {
    code_.operations.push_back(std::move(op));
    return code_.operations.back().get();
  }
  auto operation_count() const -> size_t { return code_.operations.size(); }

 private:
  struct Lowered {
    enum class State : uint8_t { kNotYet, kInProgress, kDone, kFailed } state = State::kNotYet;
    llvm::Function* fn = nullptr;
  };

  template <typename Body>
  auto Ensure(Lowered& l, const std::string& symbol, const std::string& name, Body body, uint32_t slots)
      -> llvm::Function* {
    switch (l.state) {
      case Lowered::State::kDone:
        return l.fn;
      case Lowered::State::kFailed:
        throw Unsupported{fmt::format("calls `{}`, which runs on the interpreter", name)};
      case Lowered::State::kInProgress:
        throw Unsupported{fmt::format("`{}` calls itself", name)};
      case Lowered::State::kNotYet:
        break;
    }
    l.state = Lowered::State::kInProgress;
    llvm::Function* fn = llvm::Function::Create(fn_type_, llvm::Function::ExternalLinkage, symbol, module_);
    try {
      FunctionLowering f(*this, fn, slots);
      body(f);
      std::string errors;
      llvm::raw_string_ostream os(errors);
      if (llvm::verifyFunction(*fn, &os)) {
        os.flush();
        throw Unsupported{"the generated code did not verify (internal): " +
                          errors.substr(0, errors.find('\n'))};
      }
    } catch (Unsupported& u) {
      fn->eraseFromParent();
      l.state = Lowered::State::kFailed;
      throw;
    }
    l.state = Lowered::State::kDone;
    l.fn = fn;
    return fn;
  }

 private:
  static void MaxSlot(const ir::Node* n, uint32_t& max) {
    if (n == nullptr) {
      return;
    }
    if (n->op == ir::Op::kLocal || n->op == ir::Op::kAggregate ||
        (n->op == ir::Op::kMatchOptional && n->a != UINT32_MAX)) {
      max = std::max(max, n->a + 1);
    }
    for (const uint32_t b : n->bind) {
      if (b != UINT32_MAX) {
        max = std::max(max, b + 1);
      }
    }
    for (const auto& k : n->kids) {
      MaxSlot(k.get(), max);
    }
  }
  static auto SlotsOf(const ir::Decision& d) -> uint32_t {
    uint32_t max = std::max<uint32_t>(d.num_slots, static_cast<uint32_t>(d.params.size()));
    MaxSlot(d.default_value.get(), max);
    for (const ir::Rule& r : d.rules) {
      for (const ir::Conjunct& c : r.when) {
        MaxSlot(c.cond.get(), max);
      }
      MaxSlot(r.then.get(), max);
    }
    return max;
  }
  const vm::CompiledProgram& program_;
  const ir::Program& ir_;
  llvm::Module& module_;
  LlvmCode& code_;
  bool optimized_;  // for the optimised tier (JitTier::kOptimized, or kTiered's background compile)
  llvm::FunctionType* fn_type_ = nullptr;
  llvm::Constant* pow10_ = nullptr;
  llvm::Constant* pow10_64_ = nullptr;
  std::vector<Lowered> decisions_;
  std::vector<Lowered> functions_;
};

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
}

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
    StoreWhole(operands[i], ByteAt(in, static_cast<int64_t>(16 * i)));
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
      return {b_.getInt8(Tag(Kind::kDate)), b_.getInt8(0), AsOf()};
    case ir::Op::kField: {
      // Records are immutable once built: a field read twice (across calls too) is read once.
      const V rec = Emit(*n.kids[0]);
      llvm::Value* obj = b_.CreateIntToPtr(rec.bits, b_.getInt8PtrTy());
      const V v = Load(ByteAt(obj, 8 + int64_t{16} * n.a));
      for (llvm::Value* part : {v.tag, v.small, v.bits}) {
        llvm::cast<llvm::LoadInst>(part)->setMetadata(llvm::LLVMContext::MD_invariant_load,
                                                      llvm::MDNode::get(ctx_, {}));
      }
      return v;
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
        return {x.tag, x.small, b_.CreateNeg(x.bits)};
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
        return {x.tag, x.small, b_.CreateExtractValue(res, 0)};
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
      return {b_.getInt8(Tag(Kind::kDuration)), b_.getInt8(static_cast<uint8_t>(n.a)), count.bits};
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

namespace {

// A decimal constant that is a whole number from -9 to 9 (`1`, `1.0`, `-2.00`), or nullopt. Such
// a constant times 10^18 still fits 64 bits, which is what DecimalCompare's short form needs.
auto SmallWholeConstant(const V& v) -> std::optional<int64_t> {
  const auto* scale = llvm::dyn_cast<llvm::ConstantInt>(v.small);
  const auto* mantissa = llvm::dyn_cast<llvm::ConstantInt>(v.bits);
  if (scale == nullptr || mantissa == nullptr) {
    return std::nullopt;
  }
  int64_t m = mantissa->getSExtValue();
  uint64_t s = scale->getZExtValue();
  for (; s > 0 && m % 10 == 0; --s) {
    m /= 10;
  }
  if (s != 0 || m < -9 || m > 9) {
    return std::nullopt;
  }
  return m;
}

}  // namespace

// Decimals compare as Decimal::Compare does: both mantissas scaled to the larger scale, in 128
// bits (a 64-bit mantissa times 10^18 cannot overflow them). Against a small whole constant k
// (`>= 1`, the common case in policies) the larger scale is the other side's own, so that side
// stays as it is and the constant becomes k * 10^scale: 64 bits, one table load, no bounds check.
auto FunctionLowering::DecimalCompare(const ir::Node& n) -> V {
  const V x = Emit(*n.kids[0]);
  const V y = Emit(*n.kids[1]);
  llvm::Value* a = nullptr;
  llvm::Value* b = nullptr;
  const auto whole_times_scale = [&](int64_t k, const V& other) -> llvm::Value* {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* index = b_.CreateZExt(other.small, i64);
    llvm::Value* power = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, l_.Pow10Table64(), index));
    return b_.CreateMul(b_.getInt64(static_cast<uint64_t>(k)), power, "", false, true);
  };
  if (const auto ky = SmallWholeConstant(y)) {
    a = x.bits;
    b = whole_times_scale(*ky, x);
  } else if (const auto kx = SmallWholeConstant(x)) {
    a = whole_times_scale(*kx, y);
    b = y.bits;
  } else {
    llvm::Type* i128 = b_.getInt128Ty();
    llvm::Value* sx = b_.CreateZExt(x.small, b_.getInt64Ty());
    llvm::Value* sy = b_.CreateZExt(y.small, b_.getInt64Ty());
    llvm::Value* top = b_.CreateSelect(b_.CreateICmpUGT(sx, sy), sx, sy);
    const auto scaled = [&](llvm::Value* mantissa, llvm::Value* scale) {
      // 10^(top - scale), from a table; scales are at most Decimal::kMaxScale.
      llvm::Value* k = b_.CreateSub(top, scale);
      k = b_.CreateSelect(b_.CreateICmpUGT(k, b_.getInt64(Decimal::kMaxScale)), b_.getInt64(0), k);
      llvm::Value* factor = b_.CreateLoad(i128, b_.CreateInBoundsGEP(i128, l_.Pow10Table(), k));
      return b_.CreateMul(b_.CreateSExt(mantissa, i128), factor);
    };
    a = scaled(x.bits, sx);
    b = scaled(y.bits, sy);
  }
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

// A call to a C helper of this file, by address.
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
  llvm::Value* unit = duration.small;
  const auto unit_is = [&](DurationUnit u) {
    return b_.CreateICmpEQ(unit, b_.getInt8(static_cast<uint8_t>(u)));
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
        return {date.tag, date.small, days};
      },
      [&]() -> V {
        llvm::Value* sum = b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, date.bits, n);
        BailIf(b_.CreateExtractValue(sum, 1));
        llvm::Value* days = b_.CreateExtractValue(sum, 0);
        BailIf(b_.CreateOr(b_.CreateICmpSLT(days, b_.getInt64(static_cast<uint64_t>(l_.min_days()))),
                           b_.CreateICmpSGT(days, b_.getInt64(static_cast<uint64_t>(l_.max_days())))));
        return {date.tag, date.small, days};
      });
  return result;
}

// Builtins computed in place; nullopt for those left to the interpreter's operation.
auto FunctionLowering::EmitBuiltin(const ir::Node& n) -> std::optional<V> {
  const auto builtin = static_cast<Builtin>(n.a);
  const TypeTable& types = l_.types();
  switch (builtin) {
    case Builtin::kToDecimal: {
      const V x = Emit(*n.kids[0]);  // Decimal::FromInt: the integer as mantissa, scale 0
      return V{b_.getInt8(Tag(Kind::kDecimal)), b_.getInt8(0), x.bits};
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
      return V{x.tag, x.small, b_.CreateSelect(take_x, x.bits, y.bits)};
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
      return V{b_.getInt8(Tag(Kind::kInt)), b_.getInt8(0), part};
    }
    case Builtin::kDaysBetween: {
      const V a = Emit(*n.kids[0]);
      const V b = Emit(*n.kids[1]);
      return V{b_.getInt8(Tag(Kind::kInt)), b_.getInt8(0), b_.CreateSub(b.bits, a.bits)};
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
  if (std::find(roots.begin(), roots.end(), -1) != roots.end()) {
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
  return {phi([](const V& x) { return x.tag; }), phi([](const V& x) { return x.small; }),
          phi([](const V& x) { return x.bits; })};
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
      Store({b_.getInt8(Tag(Kind::kInt)), b_.getInt8(0), b_.getInt64(0)}, acc);
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
        Store({c.tag, c.small, b_.CreateAdd(c.bits, b_.CreateZExt(Truth(x), b_.getInt64Ty()))}, acc);
        b_.CreateBr(next);
        break;
      }
      case ir::AggOp::kSum: {
        const V total = Load(acc);
        if (decimal) {
          ir::Node add = BinaryOnLocals(ir::Op::kArith, TypeTable::kDecimalId, TypeTable::kDecimalId, n.span);
          add.arith = ir::ArithOp::kAdd;
          Store(Operation(add, {total, x}), acc);
        } else {
          llvm::Value* res =
              b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, total.bits, x.bits);
          BailIf(b_.CreateExtractValue(res, 1));
          Store({total.tag, total.small, b_.CreateExtractValue(res, 0)}, acc);
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
        StoreWhole(item, ByteAt(list, b_.CreateAdd(b_.getInt64(8), b_.CreateMul(k, b_.getInt64(16)))));
        b_.CreateStore(b_.CreateAdd(k, b_.getInt64(1)), kept);
        b_.CreateBr(next);
        break;
      }
      case ir::AggOp::kMap:
        StoreWhole(x, ByteAt(list, b_.CreateAdd(b_.getInt64(8), b_.CreateMul(i, b_.getInt64(16)))));
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
    return {b_.getInt8(Tag(Kind::kList)), b_.getInt8(0), b_.CreatePtrToInt(list, b_.getInt64Ty())};
  }
  return Load(acc);
}

void FunctionLowering::LowerFunction(const ir::Function& f) {
  roots_.assign(num_slots_, -1);
  for (uint32_t i = 0; i < f.num_params; ++i) {
    Store(Load(ByteAt(args_, int64_t{16} * i)), Slot(i));
    roots_[i] = static_cast<int32_t>(i);
  }
  StoreWhole(Emit(*f.body), out_);
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
  StoreWhole(Load(result), out_);
  Return(vm::kNativeValue);
}

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

auto Elapsed(std::chrono::steady_clock::time_point since) -> double {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

// One lowering of every decision into a module of its own context, ready for one tier.
struct LoweredModule {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::vector<std::string> names;  // per decision: its function, or "" when it was not lowered
};

auto Lower(const vm::CompiledProgram& program, vm::JitTier tier,
           const llvm::orc::JITTargetMachineBuilder& jtmb, const llvm::DataLayout& layout, LlvmCode& code,
           std::vector<DecisionReport>* reports) -> LoweredModule {
  const ir::Program& ir = program.ir();
  LoweredModule out;
  out.context = std::make_unique<llvm::LLVMContext>();
  out.module = std::make_unique<llvm::Module>("policies", *out.context);
  out.module->setDataLayout(layout);
  out.module->setTargetTriple(jtmb.getTargetTriple().str());
  Lowering lowering(program, *out.context, *out.module, code, tier != vm::JitTier::kQuick);
  out.names.resize(ir.decisions.size());
  for (uint32_t d = 0; d < ir.decisions.size(); ++d) {
    try {
      const size_t operations_before = lowering.operation_count();
      out.names[d] = lowering.Decision(d)->getName().str();
      if (reports != nullptr) {
        (*reports)[d].native = true;
        (*reports)[d].operations = lowering.operation_count() - operations_before;
      }
    } catch (const Unsupported& u) {
      if (reports != nullptr) {
        (*reports)[d] = {false, u.reason};
      }
    }
  }
  return out;
}

// The IR optimisation of each tier. Quick: the function simplification pipeline at O1 (SROA,
// instcombine, CFG simplification, ...) without the inliner, about 70 ms for the bundled
// policies. Optimised: the whole O2 pipeline, inliner included.
void Optimize(llvm::Module& module, vm::JitTier tier) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  if (tier == vm::JitTier::kQuick) {
    mpm.addPass(llvm::createModuleToFunctionPassAdaptor(
        pb.buildFunctionSimplificationPipeline(llvm::OptimizationLevel::O1, llvm::ThinOrFullLTOPhase::None)));
  } else {
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  }
  mpm.run(module, mam);
}

// For looking at what the backend generates (docs/jit.md, "Reading the generated code").
void DumpIrIfAsked(const llvm::Module& module) {
  if (const char* dump = std::getenv("POLICY_JIT_DUMP_IR"); dump != nullptr && *dump != '\0') {
    std::error_code ec;
    llvm::raw_fd_ostream os(dump, ec);
    if (!ec) {
      module.print(os, nullptr);
    }
  }
}

// POLICY_JIT_PERF_MAP=1: every function the JIT emits is appended to /tmp/perf-<pid>.map, the
// file `perf report` reads to name samples in code it found no binary for, so a profile shows
// `decision hk.entry.applicant_documents` instead of a bare address (docs/jit.md, "Profiling
// the generated code"). The names and sizes come from the object file RuntimeDyld loaded, with
// its sections at the addresses they were loaded to.
class PerfMapListener final : public llvm::JITEventListener {
 public:
  static auto Instance() -> PerfMapListener& {
    static PerfMapListener listener;
    return listener;
  }
  void notifyObjectLoaded(ObjectKey, const llvm::object::ObjectFile& object,
                          const llvm::RuntimeDyld::LoadedObjectInfo& info) override {
    const llvm::object::OwningBinary<llvm::object::ObjectFile> loaded = info.getObjectForDebug(object);
    if (loaded.getBinary() == nullptr) {
      return;
    }
    std::string lines;
    for (const auto& [symbol, size] : llvm::object::computeSymbolSizes(*loaded.getBinary())) {
      auto type = symbol.getType();
      auto name = symbol.getName();
      auto address = symbol.getAddress();
      if (!type || !name || !address || *type != llvm::object::SymbolRef::ST_Function || size == 0) {
        llvm::consumeError(type.takeError());
        llvm::consumeError(name.takeError());
        llvm::consumeError(address.takeError());
        continue;
      }
      lines += fmt::format("{:x} {:x} {}\n", *address, size, name->str());
    }
    const std::lock_guard lock(mutex_);  // both tiers may load code at once
    if (std::FILE* f = std::fopen(fmt::format("/tmp/perf-{}.map", ::getpid()).c_str(), "a")) {
      std::fputs(lines.c_str(), f);
      std::fclose(f);
    }
  }

 private:
  std::mutex mutex_;
};

auto PerfMapAsked() -> bool {
  const char* asked = std::getenv("POLICY_JIT_PERF_MAP");
  return asked != nullptr && *asked != '\0' && *asked != '0';
}

// Compiles an optimised module to machine code. The quick tier uses LLVM's fast code generator
// (no instruction scheduling, a simple register allocator): 47 decisions in about 35 ms. The
// optimised tier uses the full one, which takes several times longer and makes D1-D3 run about
// a third faster (docs/jit.md).
auto Emit(LoweredModule lowered, vm::JitTier tier, llvm::orc::JITTargetMachineBuilder jtmb,
          std::unique_ptr<llvm::orc::LLJIT>* jit, std::vector<vm::NativeFn>* entries) -> std::string {
  jtmb.setCodeGenOptLevel(tier == vm::JitTier::kQuick ? llvm::CodeGenOpt::None : llvm::CodeGenOpt::Default);
  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(std::move(jtmb));
  if (PerfMapAsked()) {
    // The linking layer LLJIT makes by default on ELF, with the listener attached.
    builder.setObjectLinkingLayerCreator([](llvm::orc::ExecutionSession& session, const llvm::Triple&) {
      auto layer = std::make_unique<llvm::orc::RTDyldObjectLinkingLayer>(
          session, [] { return std::make_unique<llvm::SectionMemoryManager>(); });
      layer->registerJITEventListener(PerfMapListener::Instance());
      return llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>>(std::move(layer));
    });
  }
  auto created = builder.create();
  if (!created) {
    return "LLVM's JIT could not start: " + llvm::toString(created.takeError());
  }
  *jit = std::move(*created);
  if (auto err = (*jit)->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(lowered.module), std::move(lowered.context)))) {
    return "LLVM could not compile the policies: " + llvm::toString(std::move(err));
  }
  entries->assign(lowered.names.size(), nullptr);
  std::string failure;
  for (size_t d = 0; d < lowered.names.size(); ++d) {
    if (lowered.names[d].empty()) {
      continue;
    }
    auto sym = (*jit)->lookup(lowered.names[d]);
    if (!sym) {
      failure = "LLVM could not compile it: " + llvm::toString(sym.takeError());
      continue;
    }
#if LLVM_VERSION_MAJOR >= 15
    (*entries)[d] = sym->toPtr<vm::NativeFn>();
#else
    (*entries)[d] = reinterpret_cast<vm::NativeFn>(static_cast<uintptr_t>(sym->getAddress()));
#endif
  }
  return failure;
}

// The background half of JitTier::kTiered: optimise, compile, then replace each decision's quick
// entry. Checks `cancel` between the steps LLVM cannot interrupt.
void CompileOptimizedInBackground(LlvmCode* code, LoweredModule lowered,
                                  llvm::orc::JITTargetMachineBuilder jtmb) {
  const auto start = std::chrono::steady_clock::now();
  vm::OptimizedCode status;
  try {
    if (code->cancel.load(std::memory_order_relaxed)) {
      status.failure = "cancelled: the policy set was unloaded first";
    } else {
      Optimize(*lowered.module, vm::JitTier::kOptimized);
      std::vector<vm::NativeFn> entries;
      if (code->cancel.load(std::memory_order_relaxed)) {
        status.failure = "cancelled: the policy set was unloaded first";
      } else if (std::string failure = Emit(std::move(lowered), vm::JitTier::kOptimized, std::move(jtmb),
                                            &code->optimized, &entries);
                 !failure.empty()) {
        status.failure = failure;
      } else {
        for (size_t d = 0; d < entries.size() && d < code->count; ++d) {
          if (entries[d] != nullptr && code->entries[d].load(std::memory_order_relaxed) != nullptr) {
            code->entries[d].store(entries[d], std::memory_order_release);
            ++status.decisions;
          }
        }
        status.installed = true;
      }
    }
  } catch (const std::exception& e) {  // out of memory: the quick code keeps serving
    status.failure = e.what();
  }
  status.ms = Elapsed(start);
  code->FinishOptimized(std::move(status));
}

}  // namespace

auto CompileNative(const vm::CompiledProgram& program, vm::JitTier tier, Report* report)
    -> std::shared_ptr<const vm::NativeCode> {
  const ir::Program& ir = program.ir();
  Report local;
  Report& r = report != nullptr ? *report : local;
  r = Report{};
  r.decisions.resize(ir.decisions.size());
  const auto fail_all = [&](const std::string& why) -> std::shared_ptr<const vm::NativeCode> {
    for (DecisionReport& d : r.decisions) {
      d = {false, why};
    }
    r.native_count = 0;
    return nullptr;
  };

  const auto start = std::chrono::steady_clock::now();
  InitializeLlvm();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    return fail_all("LLVM does not support this machine: " + llvm::toString(jtmb.takeError()));
  }
  auto layout = jtmb->getDefaultDataLayoutForTarget();
  if (!layout) {
    return fail_all("LLVM does not support this machine: " + llvm::toString(layout.takeError()));
  }
  auto code = std::make_shared<LlvmCode>(ir.decisions.size());
  // The first tier to run: the quick code, or for kOptimized the optimised code. kTiered lowers
  // a second copy for the background compile (lowering is a few milliseconds; LLVM modules
  // cannot be shared between threads).
  const vm::JitTier first = tier == vm::JitTier::kOptimized ? vm::JitTier::kOptimized : vm::JitTier::kQuick;
  LoweredModule lowered = Lower(program, first, *jtmb, *layout, *code, &r.decisions);
  std::optional<LoweredModule> second;
  if (tier == vm::JitTier::kTiered) {
    second = Lower(program, vm::JitTier::kOptimized, *jtmb, *layout, *code, nullptr);
  }
  r.lower_ms = Elapsed(start);

  const auto compile_start = std::chrono::steady_clock::now();
  Optimize(*lowered.module, first);
  DumpIrIfAsked(*lowered.module);
  const std::vector<std::string> names = lowered.names;
  std::vector<vm::NativeFn> entries;
  const std::string failure = Emit(std::move(lowered), first, *jtmb, &code->first, &entries);
  if (code->first == nullptr || entries.size() != ir.decisions.size()) {
    return fail_all(failure);
  }
  for (uint32_t d = 0; d < ir.decisions.size(); ++d) {
    if (entries[d] != nullptr) {
      code->entries[d].store(entries[d], std::memory_order_relaxed);
      ++r.native_count;
    } else if (!names[d].empty()) {
      r.decisions[d] = {false, failure.empty() ? "LLVM could not compile it" : failure};
    }
  }
  r.compile_ms = Elapsed(compile_start);
  if (second) {
    // The thread is joined by ~LlvmCode, which `code` (and so the program) outlives.
    code->optimizer = std::thread(CompileOptimizedInBackground, code.get(), std::move(*second), *jtmb);
  } else {
    const bool optimized = tier == vm::JitTier::kOptimized;
    code->FinishOptimized({.installed = optimized,
                           .decisions = optimized ? r.native_count : 0,
                           .ms = optimized ? r.compile_ms : 0.0,
                           .failure = {}});
  }
  return code;
}

}  // namespace policy::jit

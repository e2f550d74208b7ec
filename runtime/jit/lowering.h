// The lowering of the typed IR to LLVM IR, shared by the files of runtime/jit/ and private to
// them: the rest of the toolchain sees jit.h. See jit.h for what is inlined and what calls the
// interpreter's operations, and runtime/vm/eval.h for the contract with the interpreter.
//
// FunctionLowering is one class because its parts share one IR builder and one frame (the slots,
// the step count, the bail block, the memos of decision calls). It is declared once, here, with
// the small helpers every part emits through kept inline (they run for every IR node lowered), and
// its member functions are defined in one file per kind of node:
//
//   runtime_helpers.cpp   the C functions the machine code calls by address
//   lowering.cpp          Lowering: each decision and function lowered once, into one module
//   lower_decision.cpp    a function's frame; rules, exceptions, defaults, effective periods
//   lower_expr.cpp        Emit: the dispatch over nodes; booleans, integers, decimals, `in`, `match`
//   lower_calls.cpp       leaving the function: interpreter operations, C helpers, calls, inlining
//   lower_calendar.cpp    dates and durations, the builtins computed in place
//   lower_aggregates.cpp  quantifiers and aggregates: the loops
//   session.cpp           ORC: optimisation, machine code, the two tiers, CompileNative
#pragma once

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/jit/jit.h"

namespace policy::jit {

// ---- what native code calls (runtime_helpers.cpp), by address ----------------------------------

extern "C" auto PolicyJitOperation(vm::NativeState* state, const vm::Code* op, Value* operands, Value* out)
    -> int32_t;
extern "C" auto PolicyJitNewList(vm::NativeState* state, uint32_t n) -> void*;
extern "C" auto PolicyJitCivil(int64_t days) -> int64_t;
extern "C" auto PolicyJitAddMonths(int64_t days, int64_t months) -> int64_t;

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

extern "C" auto PolicyJitAddMonthsCached(int64_t days, int64_t months, MonthsCache* cache) -> int64_t;

// ---- the lowering ---------------------------------------------------------------------------------

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
  llvm::Value* tag;   // i8
  llvm::Value* head;  // i64: bytes 1-7, zero-extended: a duration's unit, a decimal's low 56 bits
  llvm::Value* bits;  // i64: the payload, a pointer, or a decimal's high bits
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
  // ---- values in memory: [tag i8][head, 7 bytes][bits i64], 16 bytes, read and written as two
  // 8-byte words ----
  auto ByteAt(llvm::Value* base, int64_t offset) -> llvm::Value* {
    return offset == 0 ? base : b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), base, offset);
  }
  auto ByteAt(llvm::Value* base, llvm::Value* offset) -> llvm::Value* {
    return b_.CreateInBoundsGEP(b_.getInt8Ty(), base, offset);
  }
  // `invariant` marks both loads as reading memory that never changes (a record's fields).
  auto Load(llvm::Value* p, bool invariant = false) -> V {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::LoadInst* word = b_.CreateLoad(i64, b_.CreateBitCast(p, i64->getPointerTo()));
    llvm::LoadInst* bits = b_.CreateLoad(i64, b_.CreateBitCast(ByteAt(p, 8), i64->getPointerTo()));
    if (invariant) {
      for (llvm::LoadInst* load : {word, bits}) {
        load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
      }
    }
    return {b_.CreateTrunc(word, b_.getInt8Ty()), b_.CreateLShr(word, 8), bits};
  }
  // Two 8-byte stores: the tag and head as one word, then the payload. A load is served from an
  // earlier store still in flight only when one store covers it; Load reads the same two words,
  // and C++ reads results in place (Evaluator::Decide looks at the tag byte) or as words. (Three
  // narrow stores made C++'s 16-byte copy of a result wait for them to reach the cache, about
  // 4 ns a decision; one 16-byte vector store made narrow loads wait instead.)
  void Store(const V& v, llvm::Value* p) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* word = b_.CreateOr(b_.CreateZExt(v.tag, i64), b_.CreateShl(v.head, 8));
    b_.CreateStore(word, b_.CreateBitCast(p, i64->getPointerTo()));
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
    uint64_t word = 0;
    uint64_t bits = 0;
    std::memcpy(&word, &v, sizeof word);
    std::memcpy(&bits, reinterpret_cast<const char*>(&v) + 8, sizeof bits);
    return {b_.getInt8(static_cast<uint8_t>(word)), b_.getInt64(word >> 8), b_.getInt64(bits)};
  }
  // A scalar of `kind` whose payload is all of it (Bool, Int, Date, Enum): head zero.
  auto Scalar(Kind kind, llvm::Value* bits) -> V { return {b_.getInt8(Tag(kind)), b_.getInt64(0), bits}; }
  auto Bool(llvm::Value* i1) -> V { return Scalar(Kind::kBool, b_.CreateZExt(i1, b_.getInt64Ty())); }
  // A decimal's coefficient (core/decimal.h) as i128, and back: (bits << 56) | head.
  auto Coefficient(const V& v) -> llvm::Value* {
    llvm::Type* i128 = b_.getInt128Ty();
    return b_.CreateOr(b_.CreateShl(b_.CreateSExt(v.bits, i128), 56), b_.CreateZExt(v.head, i128));
  }
  // |c| >= Decimal::kLimit.
  auto DecimalOutOfRange(llvm::Value* c) -> llvm::Value* {
    llvm::Type* i128 = b_.getInt128Ty();
    llvm::Value* limit =
        llvm::ConstantInt::get(i128, llvm::APInt(128, "100000000000000000000000000000000000", 10));
    return b_.CreateOr(b_.CreateICmpSGE(c, limit), b_.CreateICmpSLE(c, b_.CreateNeg(limit)));
  }
  auto FromCoefficient(llvm::Value* c) -> V {
    llvm::Type* i64 = b_.getInt64Ty();
    return {b_.getInt8(Tag(Kind::kDecimal)),
            b_.CreateAnd(b_.CreateTrunc(c, i64), b_.getInt64((uint64_t{1} << 56) - 1)),
            b_.CreateTrunc(b_.CreateAShr(c, 56), i64)};
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
    return {one(a.tag, b.tag), one(a.head, b.head), one(a.bits, b.bits)};
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
      base_ = entry.CreateLoad(
          entry.getInt64Ty(),
          entry.CreateBitCast(
              entry.CreateGEP(entry.getInt8Ty(), state_, entry.getInt64(offsetof(vm::NativeState, base))),
              entry.getInt64Ty()->getPointerTo()));
    }
    return base_;
  }
  void Return(vm::NativeStatus status) {
    b_.CreateStore(b_.CreateLoad(b_.getInt64Ty(), steps_), StateSteps());
    b_.CreateRet(b_.getInt32(status));
  }
  auto AsOf() -> llvm::Value* { return as_of_; }
  // `e as of d` (lower_calls.cpp): d becomes the date e and its callees read, in as_of_ and in
  // NativeState::as_of, and the entry date is put back after e.
  auto EmitAsOfDate(const ir::Node& n) -> V;
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
  llvm::Value* as_of_ = nullptr;         // the date the code being emitted runs on (i64 days)
  llvm::Value* entry_as_of_ = nullptr;   // the date the function was called on
  uint32_t as_of_depth_ = 0;             // `as of` nodes around the code being emitted
  bool bail_restores_date_ = false;      // whether Bail() puts entry_as_of_ back into the state
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
  auto Decision(uint32_t d) -> llvm::Function*;
  auto Function(uint32_t i) -> llvm::Function*;

  auto program() const -> const vm::CompiledProgram& { return program_; }
  // The supported range of dates, in days since 1970-01-01 (years 1 to 9999).
  auto min_days() const -> int64_t { return Date::FromCivil(Date::kMinYear, 1, 1)->days(); }
  auto max_days() const -> int64_t { return Date::FromCivil(Date::kMaxYear, 12, 31)->days(); }
  auto ir() const -> const ir::Program& { return ir_; }
  auto types() const -> const TypeTable& { return ir_.types; }
  auto fn_type() const -> llvm::FunctionType* { return fn_type_; }
  static auto SlotsOf(const ir::Function& f) -> uint32_t;
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
      -> llvm::Function*;

 private:
  static void MaxSlot(const ir::Node* n, uint32_t& max);
  static auto SlotsOf(const ir::Decision& d) -> uint32_t;

  const vm::CompiledProgram& program_;
  const ir::Program& ir_;
  llvm::Module& module_;
  LlvmCode& code_;
  bool optimized_;  // for the optimised tier (JitTier::kOptimized, or kTiered's background compile)
  llvm::FunctionType* fn_type_ = nullptr;
  std::vector<Lowered> decisions_;
  std::vector<Lowered> functions_;
};

// A binary IR node over slots 0 and 1, for an interpreter operation (lower_calls.cpp).
auto BinaryOnLocals(ir::Op op, TypeId result, TypeId operand, Span span) -> ir::Node;

// One lowering of every decision into a module of its own context, ready for one tier.
struct LoweredModule {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::vector<std::string> names;  // per decision: its function, or "" when it was not lowered
};

// Lowers every decision of `program` for `tier` into a new module, with the interpreter
// operations it calls added to `code`. With `reports`, each decision's says whether it was lowered.
auto Lower(const vm::CompiledProgram& program, vm::JitTier tier,
           const llvm::orc::JITTargetMachineBuilder& jtmb, const llvm::DataLayout& layout, LlvmCode& code,
           std::vector<DecisionReport>* reports) -> LoweredModule;

}  // namespace policy::jit

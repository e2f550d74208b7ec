// The LLVM backend: lowers the typed IR (compiler/ir) of every decision and function to LLVM IR,
// one module per policy set, and compiles it with ORC LLJIT into a vm::NativeCode that a
// CompiledProgram runs whenever no explanation is asked for (runtime/vm/eval.h).
//
// What is inlined as machine code: control flow (rules in order, exceptions, defaults,
// effective dating, `if`, `match`, `and`/`or`, `??`), booleans, integer arithmetic and
// comparisons, dates and durations as values, enum tests and constant enum sets, field reads,
// calls between decisions and functions, and the loops of quantifiers and aggregates. Everything
// else (decimal arithmetic, text, calendar builtins, building lists, sets and records, structural
// equality of compound values) calls the interpreter's own operation on values the native code
// computed, so both paths share one definition of each operation.
//
// A decision whose IR the backend cannot lower runs on the interpreter, and the report says why.
// Built only when LLVM is found (CMake option POLICY_JIT); see docs/jit.md.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/vm/eval.h"

namespace policy::jit {

// The largest decision lowered to machine code: LLVM's time grows faster than linearly with the
// size of one function, and a decision is one function (1,000 rules took 1.1 s, 3,000 took
// 9.3 s, 10,000 over 20 s). A decision with more rules, or more expression nodes in its rules
// and default, runs on the interpreter, and the report says so.
inline constexpr size_t kMaxNativeRules = 500;
inline constexpr size_t kMaxNativeNodes = 50000;

struct DecisionReport {
  bool native = false;
  std::string reason;  // when not native: why it runs on the interpreter
  // How many interpreter operations its machine code calls (counting those of the decisions and
  // functions first lowered for it): 0 when everything it does is inlined.
  size_t operations = 0;
};

struct Report {
  std::vector<DecisionReport> decisions;  // indexed like ir::Program::decisions
  double lower_ms = 0;                    // IR -> LLVM IR, and the interpreter operations it calls
  double compile_ms = 0;                  // LLVM optimisation and machine code (the first tier)
  size_t native_count = 0;
};

// Compiles `program`'s decisions. Never fails as a whole: what cannot be compiled is reported and
// left to the interpreter (null when LLVM itself could not start, with every decision reported).
// `tier` says how much to optimise and when (vm::JitTier); with kTiered the report's figures are
// those of the quick code, and NativeCode::WaitForOptimizedCode reports the background compile.
auto CompileNative(const vm::CompiledProgram& program, vm::JitTier tier, Report* report)
    -> std::shared_ptr<const vm::NativeCode>;

}  // namespace policy::jit

// How much the LLVM backend (runtime/jit) optimises, and when: an option of loading an engine
// (runtime/engine/engine.h, EngineOptions), never of the compiler. Here rather than in runtime/jit
// because that folder is built only with POLICY_JIT; see docs/jit.md, "Two tiers".
#pragma once

#include <cstdint>

namespace policy {

enum class JitTier : uint8_t {
  kQuick,      // light optimisation and the fast code generator: every decision compiled quickly
  kTiered,     // kQuick now; optimised code replaces it when a background compile finishes
  kOptimized,  // the optimised code only, compiled before loading returns
};

}  // namespace policy

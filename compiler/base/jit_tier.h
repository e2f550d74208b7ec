// How much the LLVM backend (runtime/jit) optimises, and when. Here, beside the other compile
// options (compiler/pipeline.h), because the front end passes it through; see docs/jit.md,
// "Two tiers".
#pragma once

#include <cstdint>

namespace policy {

enum class JitTier : uint8_t {
  kQuick,      // light optimisation and the fast code generator: every decision compiled quickly
  kTiered,     // kQuick now; optimised code replaces it when a background compile finishes
  kOptimized,  // the optimised code only, compiled before loading returns
};

}  // namespace policy

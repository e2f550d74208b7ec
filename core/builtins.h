// The builtin functions, as one registry (core/builtins.def) that the checker, the interpreter,
// the JIT and the Z3 encoding all key off. Here, below the compiler and the runtime, because
// every stage needs the list and none of them owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace policy {

enum class Builtin : uint8_t {
#define POLICY_BUILTIN(id, name, arity, jit, smt, signature) k##id,
#include "core/builtins.def"
#undef POLICY_BUILTIN
};

// What the JIT does with a call (see builtins.def).
enum class BuiltinJit : uint8_t { kNative, kOperation };
// What the Z3 encoding does with a call (see builtins.def).
enum class BuiltinSmt : uint8_t { kExact, kPartial, kHavoc };

struct BuiltinInfo {
  Builtin id;
  std::string_view name;
  int arity;
  BuiltinJit jit;
  BuiltinSmt smt;
  std::string_view signature;
};

// Every builtin, in declaration order (indexable by Builtin).
auto AllBuiltins() -> std::span<const BuiltinInfo>;
auto FindBuiltin(std::string_view name) -> std::optional<BuiltinInfo>;
auto GetBuiltin(Builtin b) -> const BuiltinInfo&;

}  // namespace policy

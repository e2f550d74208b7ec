#include "core/builtins.h"

namespace policy {
namespace {

constexpr BuiltinInfo kBuiltins[] = {
#define POLICY_BUILTIN(id, name, arity, jit, smt, signature) \
  {Builtin::k##id, name, arity, BuiltinJit::jit, BuiltinSmt::smt, signature},
#include "core/builtins.def"
#undef POLICY_BUILTIN
};

}  // namespace

auto AllBuiltins() -> std::span<const BuiltinInfo> {
  return kBuiltins;
}

auto FindBuiltin(std::string_view name) -> std::optional<BuiltinInfo> {
  for (const BuiltinInfo& b : kBuiltins) {
    if (b.name == name) {
      return b;
    }
  }
  return std::nullopt;
}

auto GetBuiltin(Builtin b) -> const BuiltinInfo& {
  return kBuiltins[static_cast<size_t>(b)];
}

}  // namespace policy

#include "compiler/check/builtins.h"

namespace policy::check {
namespace {
constexpr BuiltinInfo kBuiltins[] = {
#define X(name, text, arity, doc) {Builtin::k##name, text, arity, doc},
    POLICY_BUILTINS(X)
#undef X
};
}  // namespace

auto FindBuiltin(std::string_view name) -> std::optional<BuiltinInfo> {
  for (const BuiltinInfo& b : kBuiltins) {
    if (b.name == name) {
      return b;
    }
  }
  return std::nullopt;
}

auto GetBuiltin(Builtin b) -> BuiltinInfo {
  return kBuiltins[static_cast<size_t>(b)];
}

}  // namespace policy::check

#include "compiler/syntax/ast.h"

namespace policy::ast {

auto BinOpText(BinOp op) -> const char* {
  static constexpr const char* kText[] = {
      "+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "and", "or", "??"};
  return kText[static_cast<int>(op)];
}

auto AggText(AggKind agg) -> const char* {
  static constexpr const char* kText[] = {"all", "any", "count", "sum", "min", "max", "filter", "map"};
  return kText[static_cast<int>(agg)];
}

auto JoinPath(const std::vector<std::string>& path) -> std::string {
  std::string out;
  for (const std::string& p : path) {
    if (!out.empty()) {
      out += '.';
    }
    out += p;
  }
  return out;
}

auto Module::QualifiedName() const -> std::string {
  return JoinPath(path);
}

}  // namespace policy::ast

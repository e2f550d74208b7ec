// Check(): the entry of stage 2, and the order of its passes. The passes are the member functions
// of Checker (checker.h), defined in one file per job.
#include "compiler/check/check.h"

#include "compiler/check/checker.h"

namespace policy::check {

auto Checker::Run() -> Program {
  RegisterModules();
  DeclareSymbols();
  ResolveImports();
  DetectImportCycles();
  ResolveTypeDecls();
  ResolveSignatures();
  CheckBodies();
  if (DetectRecursion()) {
    LimitEvaluationDepth();
  }
  return std::move(program_);
}

auto Program::FindDecision(std::string_view qualified) const -> std::optional<uint32_t> {
  for (uint32_t i = 0; i < decisions.size(); ++i) {
    if (decisions[i].name == qualified) {
      return i;
    }
  }
  return std::nullopt;
}

auto Check(std::vector<ast::Module>& modules, DiagnosticSink& diags) -> Program {
  return Checker(modules, diags).Run();
}

}  // namespace policy::check

// Fuzz target: arbitrary bytes as one `.policy` file, through parsing, checking, lowering,
// closure compilation and the evaluation of its constants (Engine::LoadSources), with the
// embedded standard library loaded beside it when the input mentions `std`. The only acceptable outcomes are
// a loaded program or diagnostics; every diagnostic must point inside the file and render.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "runtime/engine/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace policy;
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Compiling the embedded standard library costs far more than a typical input; load it only
  // for inputs that refer to it, so the fuzzer spends its time on the input.
  EngineOptions options;
  options.include_stdlib = text.find("std") != std::string::npos;
  const LoadResult r = Engine::LoadSources({{"fuzz.policy", text}}, options);
  if (r.engine == nullptr && !r.diagnostics.has_errors()) {
    std::abort();  // failed without saying why
  }
  for (const Diagnostic& d : r.diagnostics.diagnostics()) {
    if (d.primary.valid() &&
        (d.primary.begin > d.primary.end || d.primary.end > r.sources->Get(d.primary.file).text().size())) {
      std::abort();  // a span outside its file
    }
  }
  (void)RenderDiagnostics(r.diagnostics.Sorted(), *r.sources, DiagFormat::kHuman);
  (void)RenderDiagnostics(r.diagnostics.Sorted(), *r.sources, DiagFormat::kJson);
  if (r.engine != nullptr) {
    (void)r.engine->RunTests("", *Date::FromCivil(2025, 1, 1));
  }
  return 0;
}

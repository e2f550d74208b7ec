// The invariants checked on generated programs (program_gen.h).
#include <fmt/format.h>

#include "fuzz/program_gen.h"
#include "runtime/engine/engine.h"

namespace policy::fuzz {
namespace {

// One evaluation's outcome as text: the value's JSON (and whether a rule or the default gave
// it), or the error with its code, message and position.
auto Outcome(const Engine& e, uint32_t decision, const Value& input, Date as_of, vm::Context& ctx,
             vm::Trace* trace) -> std::string {
  DiagnosticSink diags;
  const auto r = e.Evaluate(decision, input, as_of, ctx, trace, diags);
  if (!r) {
    return "error " + RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
  }
  return fmt::format("{}{}", r->applicable ? "" : "not applicable ",
                     exact_json::Dump(e.ValueToJson(e.DecisionResultType(decision), r->value)));
}

}  // namespace

auto CheckGeneratedProgram(std::span<const uint8_t> bytes) -> std::string {
  const GeneratedProgram g = GenerateProgram(bytes);
  auto failure = [&](const std::string& what) {
    return fmt::format("{}\n--- gen.policy\n{}--- case.json (as of {})\n{}\n", what, g.policy,
                       g.as_of.ToString(), g.case_json);
  };
  EngineOptions options;
  options.include_stdlib = false;  // generated programs import nothing
  options.jit = true;              // when this build has the JIT: native code must agree too
  // Half the programs (by the parity of their bytes' sum) run the optimised code generator, the
  // other half the quick one: both must give the interpreter's answers.
  unsigned sum = 0;
  for (const uint8_t b : bytes) {
    sum += b;
  }
  options.jit_tier = (sum & 1U) != 0 ? JitTier::kOptimized : JitTier::kQuick;
  const LoadResult loaded = Engine::LoadSources({{"gen.policy", g.policy}}, options);
  if (loaded.engine == nullptr) {
    return failure("the generated program does not compile:\n" +
                   RenderDiagnostics(loaded.diagnostics.Sorted(), *loaded.sources, DiagFormat::kShort));
  }
  const Engine& e = *loaded.engine;
  auto ctx = e.NewContext();
  auto fresh = e.NewContext();
  ctx->set_native(false);  // the interpreter's answers; `native` gets the JIT's
  fresh->set_native(false);
  auto native = e.NewContext();
  for (const std::string& name : g.decisions) {
    const auto d = e.FindDecision(name);
    if (!d) {
      return failure("decision " + name + " is missing");
    }
    DiagnosticSink diags;
    Arena arena;
    const auto input = e.ReadCase(*d, g.case_json, "case.json", arena, diags);
    if (!input) {
      return failure("the generated case does not read:\n" +
                     RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort));
    }
    const std::string first = Outcome(e, *d, *input, g.as_of, *ctx, nullptr);
    const std::string again = Outcome(e, *d, *input, g.as_of, *ctx, nullptr);
    const std::string elsewhere = Outcome(e, *d, *input, g.as_of, *fresh, nullptr);
    const NativeReport& jit = e.native_report();
    if (jit.available && !jit.native[*d]) {
      return failure(fmt::format("{} was not compiled by the JIT: {}", name, jit.reasons[*d]));
    }
    if (jit.available) {
      const uint64_t answers = native->native_answers() + native->native_bails();
      const std::string compiled = Outcome(e, *d, *input, g.as_of, *native, nullptr);
      if (compiled != first) {
        return failure(fmt::format(
            "{}: the JIT ({} code) and the interpreter disagree:\n  interpreter: {}\n  jit:         {}", name,
            options.jit_tier == JitTier::kOptimized ? "optimised" : "quick", first, compiled));
      }
      if (native->native_answers() + native->native_bails() == answers) {
        return failure(name + ": the native code was not run");
      }
    }
    vm::Trace trace;
    const std::string explained = Outcome(e, *d, *input, g.as_of, *ctx, &trace);
    if (first != again || first != elsewhere || first != explained) {
      return failure(
          fmt::format("{} is not deterministic:\n  first:     {}\n  again:     {}\n  new "
                      "context: {}\n  explained: {}",
                      name, first, again, elsewhere, explained));
    }
    const std::string text = e.ExplanationText(trace);
    const std::string json = exact_json::Dump(e.ExplanationJson(trace));
    if (first.rfind("error ", 0) != 0) {
      // The explanation's record of the decision asked for (depth 0, completed last) carries
      // the value that was returned.
      if (trace.records.empty() || trace.records.back().depth != 0 || trace.records.back().decision != *d) {
        return failure(name + ": the explanation does not end with the decision asked for");
      }
      const vm::DecisionRecord& top = trace.records.back();
      const bool applicable = first.rfind("not applicable ", 0) != 0;
      const bool record_applicable =
          top.via == vm::DecisionRecord::Via::kRule || top.via == vm::DecisionRecord::Via::kDefault;
      const std::string record_value = exact_json::Dump(e.ValueToJson(e.DecisionResultType(*d), top.value));
      if (applicable != record_applicable || (applicable && first != record_value)) {
        return failure(fmt::format("{}: the explanation says {} ({}), the evaluation {}", name,
                                   record_applicable ? "applicable" : "not applicable", record_value, first));
      }
    }
    vm::Trace trace_again;
    (void)Outcome(e, *d, *input, g.as_of, *fresh, &trace_again);
    if (e.ExplanationText(trace_again) != text || exact_json::Dump(e.ExplanationJson(trace_again)) != json) {
      return failure(name + ": the explanation differs between two evaluations");
    }
  }
  return "";
}

}  // namespace policy::fuzz

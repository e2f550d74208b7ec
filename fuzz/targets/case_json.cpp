// Fuzz target: arbitrary bytes as a case file (JSON) against the bundled policies. The bytes are
// read once for every record type that a decision takes, and every decision that accepts the
// case is evaluated: without an explanation, with one (the value must be the same), and again
// in a fresh context (the result must be byte-identical). Malformed, mistyped, huge or deeply
// nested JSON must come back as diagnostics. The case is also read by the full reader alone,
// which must agree with the fast road (runtime/engine/fast_case_reader.h).
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "runtime/engine/engine.h"

namespace {

using namespace policy;

struct Bundled {
  LoadResult loaded;
  // Decisions grouped by the record type they take, so the case is read once per type.
  std::map<TypeId, std::vector<uint32_t>> by_record;
};

auto Load() -> const Bundled& {
  static const Bundled* bundled = [] {
    auto* b = new Bundled{Engine::Load({std::string(POLICY_SOURCE_DIR) + "/policies"}), {}};
    if (b->loaded.engine == nullptr) {
      std::abort();
    }
    const auto& decisions = b->loaded.engine->program().ir().decisions;
    for (uint32_t d = 0; d < decisions.size(); ++d) {
      if (decisions[d].params.size() == 1) {
        b->by_record[decisions[d].params[0]].push_back(d);
      }
    }
    return b;
  }();
  return *bundled;
}

// The result of one evaluation as text: the value's JSON, or the error.
// A trace points into its context's scratch arena, so `ctx` must outlive the use of `trace`.
auto Evaluate(const Engine& e, uint32_t decision, const Value& input, Date as_of, vm::Context& ctx,
              vm::Trace* trace) -> std::string {
  DiagnosticSink diags;
  const auto r = e.Evaluate(decision, input, as_of, ctx, trace, diags);
  if (!r) {
    return RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kJson);
  }
  return (r->applicable ? "" : "not applicable ") +
         exact_json::Dump(e.ValueToJson(e.DecisionResultType(decision), r->value));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)Load();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bundled& bundled = Load();
  const Engine& e = *bundled.loaded.engine;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const Date as_of = *Date::FromCivil(2024, 9, 1);
  for (const auto& [record, decisions] : bundled.by_record) {
    Arena arena;
    DiagnosticSink diags;
    const auto input = e.ReadCase(decisions[0], json, "case.json", arena, diags);
    // The fast reader may step aside, never disagree: what it reads, the full reader reads alike.
    {
      Arena full_arena;
      DiagnosticSink full_diags;
      InputLimits full_only;
      full_only.fast_reader = false;
      const auto full = e.ReadCase(decisions[0], json, "case.json", full_arena, full_diags, full_only);
      if (input.has_value() != full.has_value() ||
          (input && exact_json::Dump(e.ValueToJson(record, *input)) !=
                        exact_json::Dump(e.ValueToJson(record, *full)))) {
        std::abort();  // the fast case reader and the full one disagree
      }
    }
    if (!input) {
      if (!diags.has_errors()) {
        std::abort();  // rejected without saying why
      }
      (void)RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kHuman);
      continue;
    }
    auto ctx = e.NewContext();
    auto fresh = e.NewContext();
    for (const uint32_t d : decisions) {
      const std::string plain = Evaluate(e, d, *input, as_of, *fresh, nullptr);
      const std::string again = Evaluate(e, d, *input, as_of, *fresh, nullptr);
      vm::Trace trace;
      const std::string explained = Evaluate(e, d, *input, as_of, *ctx, &trace);
      if (plain != explained || plain != again) {
        std::abort();  // an explanation changed the value, or evaluation is not deterministic
      }
      (void)e.ExplanationText(trace);
      (void)exact_json::Dump(e.ExplanationJson(trace));
    }
  }
  return 0;
}

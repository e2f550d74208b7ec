// Test support for the unit tests that load policies into an Engine and evaluate them (on the
// interpreter, natively, or in Z3): read a file, load a test policy given as text, evaluate a
// decision and show the outcome as text, and prove with Z3 that a Bool decision (a "law") is
// true for every case and date. Header-only: each test binary that includes it gets its own
// copy, and nothing here is shared state.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "runtime/analysis/encode.h"
#include "runtime/engine/engine.h"

namespace policy::test {

// The whole file as bytes; "" when it cannot be read.
inline auto ReadFile(const std::filesystem::path& p) -> std::string {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The options of a test policy: no standard library, so the policy is all that is compiled.
inline auto WithoutStdlib() -> EngineOptions {
  EngineOptions options;
  options.include_stdlib = false;
  return options;
}

// Loads one policy given as text (as `t.policy`); null, with the test failed and the
// diagnostics shown, when it does not compile.
inline auto LoadPolicy(const std::string& policy, const EngineOptions& options = WithoutStdlib())
    -> std::shared_ptr<const Engine> {
  const LoadResult loaded = Engine::LoadSources({{"t.policy", policy}}, options);
  if (!loaded.engine) {
    ADD_FAILURE() << RenderDiagnostics(loaded.diagnostics.Sorted(), *loaded.sources, DiagFormat::kShort)
                  << policy;
  }
  return loaded.engine;
}

// One evaluation as text: the value's JSON, after "not in effect " and "not applicable " when
// they hold, or "error " and the diagnostics rendered with their locations.
inline auto Outcome(const Engine& e, uint32_t d, const Value& input, Date as_of, vm::Context& ctx)
    -> std::string {
  DiagnosticSink diags;
  const auto r = e.Evaluate(d, input, as_of, ctx, nullptr, diags);
  if (!r) {
    return "error " + RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
  }
  const std::string json = exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), r->value));
  // The two writers of a value's JSON (the DOM for tools, the direct one for answers) must agree
  // on every value any test evaluates.
  std::string direct;
  e.AppendValueJson(e.DecisionResultType(d), r->value, &direct);
  EXPECT_EQ(direct, json) << "AppendValueJson and ValueToJson disagree";
  return fmt::format("{}{}{}", r->in_effect ? "" : "not in effect ", r->applicable ? "" : "not applicable ",
                     json);
}

// The same on a case record given as JSON, in a context of its own, on the interpreter or
// (`native`, when the engine has machine code) natively; "unreadable case " and the
// diagnostics when the case does not fit the decision's record type.
inline auto OutcomeOnCase(const Engine& e, uint32_t d, const std::string& case_json, Date as_of,
                          bool native = false) -> std::string {
  auto ctx = e.NewContext();
  ctx->set_native(native);
  DiagnosticSink diags;
  const auto input = e.ReadCase(d, case_json, "case.json", *ctx, diags);
  if (!input) {
    return "unreadable case " + RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
  }
  return Outcome(e, d, *input, as_of, *ctx);
}

// What Z3 says of a Bool decision taken as a law: unsat when it is true wherever it is defined,
// for every case record and every evaluation date; with the approximations of its encoding
// (empty when exact). `encoded` is false, with the test failed, when it could not be encoded.
struct LawProof {
  bool encoded = false;
  z3::check_result result = z3::unknown;
  std::set<std::string> approximations;
};

inline auto ProveLaw(const ir::Program& ir, uint32_t decision, unsigned rlimit = 5000000U) -> LawProof {
  z3::context ctx;
  analysis::InputPool pool(ctx, std::nullopt);  // every evaluation date
  analysis::Encoder encoder(ir, pool);
  const analysis::DecisionSym* law = encoder.Decision(decision);
  if (law == nullptr) {
    ADD_FAILURE() << ir.decisions[decision].name << " was not encoded";
    return {};
  }
  z3::solver solver(ctx);
  z3::params params(ctx);
  params.set("rlimit", rlimit);
  solver.set(params);
  for (const z3::expr& e : pool.domain()) {
    solver.add(e);
  }
  for (const z3::expr& e : encoder.axioms()) {
    solver.add(e);
  }
  solver.add(law->defined);
  solver.add(!law->value.e[0]);
  return {true, solver.check(), law->approximations};
}

}  // namespace policy::test

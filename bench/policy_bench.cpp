// policy_bench: the engine against the hand-written C++ baseline (bench/baseline.h), in one run.
//
// Names say the decision, the evaluator and the input path, so runs compare across versions:
//   BM_<D1|D2|D3>_<Baseline|Interp>_<Typed|Json|TypedBuild|JsonAnswer>
//     Typed       facts built once through typed Fields (the baseline: a struct); one
//                 evaluation per iteration, cycling over the eight example cases
//     TypedBuild  the facts D1 reads are set anew before each evaluation (per-request building)
//     Json        the case record parsed from JSON text, then evaluated
//     JsonAnswer  (Interp only) Evaluator::EvaluateJson: the case's JSON text to the answer's
//                 JSON text, what `policy serve` pays per decision without HTTP
//   The engine rows call Evaluator::Decide, the hot-loop form; the _Outcome rows call
//   Evaluator::Evaluate (a Result<Outcome> per call) on the same input as _Typed.
//   BM_D1_Interp_Typed_Explain   the same with the explanation rendered as text
//   BM_Money_<Baseline|Interp|Jit>_Typed   decimal-heavy arithmetic (bench/policies/money.policy:
//                                seven Decimal operations), the baseline the same formula
//                                written in C++ on policy::Decimal
//   BM_Harness_Typed             the _Typed rows' loop alone (choosing the case), no decision
//   BM_<D>_Jit_<input>           the interpreter rows on the set loaded with the JIT (LLVM),
//                                once its optimised code is in place (JitTier::kTiered)
//   BM_<D>_JitQuick_Typed        the same on the quick code alone (JitTier::kQuick)
//   BM_<D>_Jit_MachineCode       the optimised machine code called directly, without the API
//   BM_Compile_Bundled_Jit       BM_Compile_Bundled plus machine code for every decision, as
//                                services load (kTiered): counter jit_ms is what Load spends on
//                                the quick code, optimized_ms the background compile
//   BM_Compile_Bundled_JitOptimized   the optimised code alone, before Load returns (kOptimized)
//   BM_Compile_Bundled           parse + check + lower + closure compile of policies/
//   BM_Compile_Generated/N       the same for a generated policy of N rules (N = 1k, 10k, 100k)
//   BM_Memory_Bundled, BM_Memory_Generated/N   heap bytes held by a loaded set (counter `bytes`)
//   BM_Memory_Facts_<Baseline|Json|Typed>   bytes per case record held (counter bytes_per_case):
//                                the baseline's struct, Facts read from JSON, Facts built by Fields
//   BM_Compile_BigDecision[_Jit]/N   one decision of N rules loaded (counter native: machine code?)
//   BM_WhatIf_<D1|D2|D3>         `policy eval --what-if` on each Hong Kong example case in turn
//                                (the smallest changes that give another value; counter answers)
// At the end it prints the Interp/Baseline and Jit/Baseline ratios of every decision and input path.
//
//   build-rel/bench/policy_bench [--benchmark_filter=D1]     (see docs/performance.md)
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "bench/baseline.h"
#include "core/decimal.h"
#include "policy/policy.hpp"
#include "runtime/analysis/whatif.h"
#include "runtime/engine/engine.h"
#include "tests/unit/api/api_test_support.h"

namespace {

namespace fs = std::filesystem;
namespace api = policy::api;

constexpr const char* kD1 = "hk.employment.part_time_on_campus_allowed";
constexpr const char* kD2 = "hk.entry.applicant_documents";
constexpr const char* kD3 = "hk.stay.limit_of_stay";

auto Die(const std::string& message) -> void {
  std::cerr << "policy_bench: " << message << "\n";
  std::exit(2);
}

// Everything the benchmarks share, built once and checked: the baseline must agree with the
// engine on every case, or the comparison would be meaningless.
struct Fixture {
  api::PolicySet set;
  api::Decision d[3];
  std::vector<std::string> json;
  std::vector<api::Facts> facts;
  std::vector<baseline::Case> cases;
  api::Date as_of = std::chrono::year{2025} / 9 / 1;
  baseline::Date baseline_as_of{std::chrono::year{2025} / 9 / 1};

  explicit Fixture(bool jit, api::LoadOptions::JitTier tier = api::LoadOptions::JitTier::kTiered) {
    const fs::path root(POLICY_SOURCE_DIR);
    api::LoadOptions options;
    options.jit = jit;
    options.jit_tier = tier;
    auto loaded = api::PolicySet::Load({(root / "policies").string()}, options);
    if (!loaded) {
      Die(loaded.error().message);
    }
    set = *loaded;
    // The steady state of a service: the optimised code has replaced the quick code.
    set.WaitForOptimizedCode();
    const char* names[] = {kD1, kD2, kD3};
    for (int i = 0; i < 3; ++i) {
      auto decision = set.decision(names[i]);
      if (!decision) {
        Die(decision.error().message);
      }
      d[i] = *decision;
      if (jit && !d[i].native()) {
        Die(fmt::format("{} is not compiled by the JIT: {}", names[i], d[i].interpreted_because()));
      }
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root / "examples/cases")) {
      if (e.path().extension() == ".json") {
        files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    api::Evaluator ev(set);
    for (const fs::path& f : files) {
      json.push_back(api::ReadFile(f));
      auto typed = api::CaseToTypedFacts(d[0], json.back());
      auto plain = baseline::FromJson(json.back());
      if (!typed || !plain) {
        Die("cannot read " + f.string());
      }
      // Agreement check (also a unit test: tests/unit/api/baseline_test.cpp).
      const auto r1 = ev.Evaluate(d[0], *typed, as_of);
      const auto b1 = baseline::PartTimeOnCampusAllowed(*plain, baseline_as_of);
      const auto r2 = ev.Evaluate(d[1], *typed, as_of);
      const auto r3 = ev.Evaluate(d[2], *typed, as_of);
      const auto b3 = baseline::LimitOfStay(*plain);
      if (!r1 || !r2 || !r3 || r1->value.to_json() != (b1 ? (*b1 ? "true" : "false") : "null") ||
          r2->value.to_json() != baseline::DocumentsJson(baseline::ApplicantDocuments(*plain)) ||
          r3->value.to_json() !=
              (b3 ? "\"" + api::FormatDate(std::chrono::year_month_day{*b3}) + "\"" : "null")) {
        Die("the baseline and the engine disagree on " + f.string());
      }
      facts.push_back(std::move(*typed));
      cases.push_back(*plain);
    }
  }
};

auto F() -> Fixture& {
  static Fixture fixture(false);
  return fixture;
}

#ifdef POLICY_BENCH_JIT
// The same policies loaded with LoadOptions::jit (JitTier::kTiered, once the optimised code is
// in place): evaluations run LLVM-compiled code.
auto FJ() -> Fixture& {
  static Fixture fixture(true);
  return fixture;
}

// The quick code alone (JitTier::kQuick): what evaluations run until the optimised code is ready.
auto FJQ() -> Fixture& {
  static Fixture fixture(true, api::LoadOptions::JitTier::kQuick);
  return fixture;
}
#endif

// ---- decimal-heavy arithmetic ----------------------------------------------------------------

// bench/policies/money.policy with eight sales, and the same formula by hand on policy::Decimal.
struct MoneyFixture {
  struct Sale {
    policy::Decimal price, cost, hours, hourly_rate;
  };
  api::PolicySet set;
  api::Decision discount;
  std::vector<api::Facts> facts;
  std::vector<Sale> sales;
  api::Date as_of = std::chrono::year{2025} / 9 / 1;

  static auto Discount(const Sale& s) -> std::optional<policy::Decimal> {
    using policy::Decimal;
    const auto margin = Decimal::Sub(s.price, s.cost);
    const auto rate = margin ? Decimal::Div(*margin, s.price) : std::nullopt;
    const auto gross = rate ? Decimal::Mul(s.price, *rate) : std::nullopt;
    static const Decimal kFifth = *Decimal::Parse("0.2");
    static const Decimal kTwelve = *Decimal::FromInt(12);
    const auto fifth = gross ? Decimal::Mul(*gross, kFifth) : std::nullopt;
    const auto pay = Decimal::Mul(s.hours, s.hourly_rate);
    const auto twelfth = pay ? Decimal::Div(*pay, kTwelve) : std::nullopt;
    return fifth && twelfth ? Decimal::Add(*fifth, *twelfth) : std::nullopt;
  }

  explicit MoneyFixture(bool jit) {
    api::LoadOptions options;
    options.jit = jit;
    options.include_stdlib = false;
    auto loaded = api::PolicySet::Load({(fs::path(POLICY_SOURCE_DIR) / "bench/policies").string()}, options);
    if (!loaded) {
      Die(loaded.error().message);
    }
    set = *loaded;
    set.WaitForOptimizedCode();
    auto decision = set.decision("bench.money.discount");
    if (!decision) {
      Die(decision.error().message);
    }
    discount = *decision;
    if (jit && !discount.native()) {
      Die("bench.money.discount is not compiled by the JIT: " + discount.interpreted_because());
    }
    const char* rows[][4] = {{"10.5", "1", "7.5", "18.25"}, {"1234.56", "987.65", "40", "55.5"},
                             {"0.99", "0.5", "0", "0"},     {"19999.99", "12000", "12.25", "120.75"},
                             {"5", "5", "1", "1"},          {"250", "125.5", "3.5", "33.33"},
                             {"8.75", "2.5", "20", "16.4"}, {"100000", "1", "37.5", "999.99"}};
    api::Evaluator ev(set);
    for (const auto& row : rows) {
      const std::string json = fmt::format(R"({{"price": {}, "cost": {}, "hours": {}, "hourly_rate": {}}})",
                                           row[0], row[1], row[2], row[3]);
      auto typed = api::CaseToTypedFacts(discount, json);
      if (!typed) {
        Die("cannot read " + json + ": " + typed.error().message);
      }
      const Sale sale{*policy::Decimal::Parse(row[0]), *policy::Decimal::Parse(row[1]),
                      *policy::Decimal::Parse(row[2]), *policy::Decimal::Parse(row[3])};
      const auto engine = ev.Evaluate(discount, *typed, as_of);
      const auto by_hand = Discount(sale);
      if (!engine || !by_hand || engine->value.as_decimal_text() != by_hand->ToString()) {
        Die("the baseline and the engine disagree on " + json);
      }
      facts.push_back(std::move(*typed));
      sales.push_back(sale);
    }
  }
};

auto M() -> MoneyFixture& {
  static MoneyFixture fixture(false);
  return fixture;
}

void BM_Money_Baseline_Typed(benchmark::State& state) {
  MoneyFixture& f = M();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(MoneyFixture::Discount(f.sales[i++ % f.sales.size()]));
  }
}
BENCHMARK(BM_Money_Baseline_Typed);

template <MoneyFixture& (*Get)()>
void BM_Money_Engine_Typed(benchmark::State& state) {
  MoneyFixture& f = Get();
  api::Evaluator ev(f.set);
  size_t i = 0;
  for (auto _ : state) {
    auto r = ev.Decide(f.discount, f.facts[i++ % f.facts.size()], f.as_of);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Money_Engine_Typed<M>)->Name("BM_Money_Interp_Typed");
#ifdef POLICY_BENCH_JIT
auto MJ() -> MoneyFixture& {
  static MoneyFixture fixture(true);
  return fixture;
}
BENCHMARK(BM_Money_Engine_Typed<MJ>)->Name("BM_Money_Jit_Typed");
#endif

// ---- D1, D2, D3 ---------------------------------------------------------------------------

template <int D>
void BM_Baseline_Typed(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    const baseline::Case& c = f.cases[i++ % f.cases.size()];
    if constexpr (D == 1) {
      benchmark::DoNotOptimize(baseline::PartTimeOnCampusAllowed(c, f.baseline_as_of));
    } else if constexpr (D == 2) {
      benchmark::DoNotOptimize(baseline::ApplicantDocuments(c));
    } else {
      benchmark::DoNotOptimize(baseline::LimitOfStay(c));
    }
  }
}

// The loop of the _Typed rows with no decision in it: the choice of the case (a division by the
// number of cases) and nothing else. Most of the baseline's time is this loop, so a ratio to the
// baseline compares everything else an engine does with a handful of compares.
void BM_Harness_Typed(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&f.cases[i++ % f.cases.size()]);
  }
}
BENCHMARK(BM_Harness_Typed);

// Evaluator::Decide, the form for hot loops (a plain struct back, no Result, no explanation).
template <int D, Fixture& (*Get)() = F>
void BM_Interp_Typed(benchmark::State& state) {
  Fixture& f = Get();
  api::Evaluator ev(f.set);
  size_t i = 0;
  for (auto _ : state) {
    auto r = ev.Decide(f.d[D - 1], f.facts[i++ % f.facts.size()], f.as_of);
    benchmark::DoNotOptimize(r);
  }
}

// The same through Evaluator::Evaluate: what a Result<Outcome> costs around the evaluation.
template <int D, Fixture& (*Get)() = F>
void BM_Interp_Typed_Outcome(benchmark::State& state) {
  Fixture& f = Get();
  api::Evaluator ev(f.set);
  size_t i = 0;
  for (auto _ : state) {
    auto r = ev.Evaluate(f.d[D - 1], f.facts[i++ % f.facts.size()], f.as_of);
    benchmark::DoNotOptimize(r);
  }
}

template <int D>
void BM_Baseline_Json(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    const auto c = baseline::FromJson(f.json[i++ % f.json.size()]);
    if constexpr (D == 1) {
      benchmark::DoNotOptimize(baseline::PartTimeOnCampusAllowed(*c, f.baseline_as_of));
    } else if constexpr (D == 2) {
      benchmark::DoNotOptimize(baseline::ApplicantDocuments(*c));
    } else {
      benchmark::DoNotOptimize(baseline::LimitOfStay(*c));
    }
  }
}

template <int D, Fixture& (*Get)() = F>
void BM_Interp_Json(benchmark::State& state) {
  Fixture& f = Get();
  api::Evaluator ev(f.set);
  size_t i = 0;
  for (auto _ : state) {
    auto facts = f.d[D - 1].FactsFromJson(f.json[i++ % f.json.size()]);
    auto r = ev.Decide(f.d[D - 1], *facts, f.as_of);
    benchmark::DoNotOptimize(r);
  }
}

// JSON in, JSON out: a case record's text to the answer `policy eval --format json` prints, on
// one Evaluator (what `policy serve` pays per decision, without HTTP).
template <int D>
void BM_Interp_JsonAnswer(benchmark::State& state) {
  Fixture& f = F();
  api::Evaluator ev(f.set);
  size_t i = 0;
  for (auto _ : state) {
    auto answer = ev.EvaluateJson(f.d[D - 1], f.json[i++ % f.json.size()], f.as_of);
    benchmark::DoNotOptimize(answer);
  }
}

// Per-request building of what D1 reads: six facts, then the decision.
void BM_D1_Baseline_TypedBuild(benchmark::State& state) {
  Fixture& f = F();
  baseline::Case c = f.cases[0];
  size_t i = 0;
  for (auto _ : state) {
    const bool odd = (i++ & 1U) != 0;
    c.mode = odd ? baseline::Mode::kPartTime : baseline::Mode::kFullTime;
    c.locally_accredited = true;
    c.origin = baseline::Origin::kLocal;
    c.level = baseline::Level::kUndergraduate;
    c.study_period_hundredths = 400;
    c.is_exchange_student = false;
    benchmark::DoNotOptimize(c);
    benchmark::DoNotOptimize(baseline::PartTimeOnCampusAllowed(c, f.baseline_as_of));
  }
}

template <Fixture& (*Get)() = F>
void BM_D1_Interp_TypedBuild(benchmark::State& state) {
  Fixture& f = Get();
  const api::Decision& d = f.d[0];
  // Resolved once, outside the loop: the point of Fields.
  const api::Field mode = *d.field("programme.mode");
  const api::Field accredited = *d.field("programme.locally_accredited");
  const api::Field origin = *d.field("programme.origin");
  const api::Field level = *d.field("programme.level");
  const api::Field period = *d.field("programme.study_period_academic_years");
  const api::Field exchange = *d.field("exchange.is_exchange_student");
  const api::EnumValue full_time = *d.enum_value(mode, "full_time");
  const api::EnumValue part_time = *d.enum_value(mode, "part_time");
  const api::EnumValue local = *d.enum_value(origin, "local");
  const api::EnumValue undergraduate = *d.enum_value(level, "undergraduate");
  api::Facts facts = std::move(*api::CaseToTypedFacts(d, f.json[0]));
  api::Evaluator ev(f.set);
  size_t i = 0;
  for (auto _ : state) {
    const bool odd = (i++ & 1U) != 0;
    (void)facts.Set(mode, odd ? part_time : full_time);
    (void)facts.Set(accredited, true);
    (void)facts.Set(origin, local);
    (void)facts.Set(level, undergraduate);
    (void)facts.Set(period, int64_t{4});
    (void)facts.Set(exchange, false);
    auto r = ev.Decide(d, facts, f.as_of);
    benchmark::DoNotOptimize(r);
  }
}

void BM_D1_Interp_Typed_Explain(benchmark::State& state) {
  Fixture& f = F();
  api::Evaluator ev(f.set);
  size_t i = 0;
  for (auto _ : state) {
    auto r = ev.Evaluate(f.d[0], f.facts[i++ % f.facts.size()], f.as_of, api::Explain::kText);
    benchmark::DoNotOptimize(r);
  }
}

BENCHMARK(BM_Baseline_Typed<1>)->Name("BM_D1_Baseline_Typed");
BENCHMARK(BM_Interp_Typed<1>)->Name("BM_D1_Interp_Typed");
BENCHMARK(BM_Interp_Typed_Outcome<1>)->Name("BM_D1_Interp_Typed_Outcome");
BENCHMARK(BM_D1_Baseline_TypedBuild);
BENCHMARK(BM_D1_Interp_TypedBuild<>)->Name("BM_D1_Interp_TypedBuild");
BENCHMARK(BM_Baseline_Json<1>)->Name("BM_D1_Baseline_Json");
BENCHMARK(BM_Interp_Json<1>)->Name("BM_D1_Interp_Json");
BENCHMARK(BM_Interp_JsonAnswer<1>)->Name("BM_D1_Interp_JsonAnswer");
BENCHMARK(BM_D1_Interp_Typed_Explain);
BENCHMARK(BM_Baseline_Typed<2>)->Name("BM_D2_Baseline_Typed");
BENCHMARK(BM_Interp_Typed<2>)->Name("BM_D2_Interp_Typed");
BENCHMARK(BM_Baseline_Json<2>)->Name("BM_D2_Baseline_Json");
BENCHMARK(BM_Interp_Json<2>)->Name("BM_D2_Interp_Json");
BENCHMARK(BM_Interp_JsonAnswer<2>)->Name("BM_D2_Interp_JsonAnswer");
BENCHMARK(BM_Baseline_Typed<3>)->Name("BM_D3_Baseline_Typed");
BENCHMARK(BM_Interp_Typed<3>)->Name("BM_D3_Interp_Typed");
BENCHMARK(BM_Baseline_Json<3>)->Name("BM_D3_Baseline_Json");
BENCHMARK(BM_Interp_Json<3>)->Name("BM_D3_Interp_Json");
BENCHMARK(BM_Interp_JsonAnswer<3>)->Name("BM_D3_Interp_JsonAnswer");
#ifdef POLICY_BENCH_JIT
// The JIT rows: the same evaluation code through the same API, on the set loaded with the JIT.
BENCHMARK(BM_Interp_Typed<1, FJ>)->Name("BM_D1_Jit_Typed");
BENCHMARK(BM_Interp_Typed_Outcome<1, FJ>)->Name("BM_D1_Jit_Typed_Outcome");
BENCHMARK(BM_D1_Interp_TypedBuild<FJ>)->Name("BM_D1_Jit_TypedBuild");
BENCHMARK(BM_Interp_Json<1, FJ>)->Name("BM_D1_Jit_Json");
BENCHMARK(BM_Interp_Typed<2, FJ>)->Name("BM_D2_Jit_Typed");
BENCHMARK(BM_Interp_Json<2, FJ>)->Name("BM_D2_Jit_Json");
BENCHMARK(BM_Interp_Typed<3, FJ>)->Name("BM_D3_Jit_Typed");
BENCHMARK(BM_Interp_Json<3, FJ>)->Name("BM_D3_Jit_Json");
BENCHMARK(BM_Interp_Typed<1, FJQ>)->Name("BM_D1_JitQuick_Typed");
BENCHMARK(BM_Interp_Typed<2, FJQ>)->Name("BM_D2_JitQuick_Typed");
BENCHMARK(BM_Interp_Typed<3, FJQ>)->Name("BM_D3_JitQuick_Typed");
#endif

#ifdef POLICY_BENCH_JIT
// Below the API: the decision's machine code called directly on an engine value, with nothing
// around it (no handle checks, no result wrapping). What the JIT's code itself costs.
template <int D>
void BM_Jit_MachineCode(benchmark::State& state) {
  const char* names[] = {kD1, kD2, kD3};
  policy::EngineOptions options;
  options.jit = true;
  options.jit_tier = policy::JitTier::kOptimized;
  static const policy::LoadResult loaded =
      policy::Engine::Load({(fs::path(POLICY_SOURCE_DIR) / "policies").string()}, options);
  const policy::Engine& e = *loaded.engine;
  const uint32_t d = *e.FindDecision(names[D - 1]);
  auto ctx = e.NewContext();
  std::vector<policy::Value> inputs;
  for (const std::string& json : F().json) {
    policy::DiagnosticSink diags;
    inputs.push_back(*e.ReadCase(d, json, "case.json", *ctx, diags));
  }
  const auto entry = e.program().NativeEntryOf(d);
  const policy::Date as_of = *policy::Date::Parse("2025-09-01");
  size_t i = 0;
  policy::vm::DecisionResult r;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        policy::vm::CompiledProgram::TryNative(*ctx, entry, &inputs[i++ % inputs.size()], as_of, &r));
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Jit_MachineCode<1>)->Name("BM_D1_Jit_MachineCode");
BENCHMARK(BM_Jit_MachineCode<2>)->Name("BM_D2_Jit_MachineCode");
BENCHMARK(BM_Jit_MachineCode<3>)->Name("BM_D3_Jit_MachineCode");
#endif

// ---- compile time and memory -------------------------------------------------------------

auto BundledSources() -> std::vector<api::SourceFile> {
  std::vector<api::SourceFile> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(POLICY_SOURCE_DIR) / "policies")) {
    if (e.path().extension() == ".policy") {
      files.push_back({e.path().string(), api::ReadFile(e.path())});
    }
  }
  return files;
}

// A policy of `rules` rules, as a real one is laid out: a module with the case record, and
// modules of 100 decisions (1,000 rules) each importing it. Every rule has a source, a three-part
// condition and a value, so the checker and the lowering see real work.
auto GeneratedSource(int64_t rules) -> std::vector<api::SourceFile> {
  std::vector<api::SourceFile> files;
  files.push_back({"gen/case.policy",
                   "module gen.case\n\nenum Level { l0, l1, l2, l3 }\n\n"
                   "record Case {\n  a: Int\n  b: Int\n  flag: Bool\n  level: Level\n}\n"});
  constexpr int64_t kRulesPerFile = 1000;
  for (int64_t file = 0; file * kRulesPerFile < rules; ++file) {
    std::string text = fmt::format("module gen.m{}\n\nimport gen.case (Case, Level)\n\n", file);
    for (int64_t k = 0; k < kRulesPerFile / 10 && file * kRulesPerFile + k * 10 < rules; ++k) {
      const int64_t first = file * kRulesPerFile + k * 10;
      text +=
          fmt::format("decision d{}(c: Case) -> Int\n  source \"generated {}\"\n  default 0\n\n", k, first);
      for (int64_t j = 0; j < 10 && first + j < rules; ++j) {
        text += fmt::format(
            "  rule r{}\n    source \"generated {}.{}\"\n    when c.a > {} and c.b < {} and (c.flag or "
            "c.level == l{})\n"
            "    then {}\n\n",
            j, first, j, j, k + j, j % 4, first + j);
      }
    }
    files.push_back({fmt::format("gen/m{}.policy", file), std::move(text)});
  }
  return files;
}

void CompileBench(benchmark::State& state, const std::vector<api::SourceFile>& sources, bool jit = false,
                  api::LoadOptions::JitTier tier = api::LoadOptions::JitTier::kTiered) {
  api::LoadOptions options;
  options.jit = jit;
  options.jit_tier = tier;
  double jit_ms = 0;
  double optimized_ms = 0;
  for (auto _ : state) {
    auto set = api::PolicySet::LoadSources(sources, options);
    if (!set) {
      state.SkipWithError(set.error().message.c_str());
      return;
    }
    jit_ms = set->jit_compile_ms();
    // With kTiered the row's time includes the background compile: each version is kept until
    // its optimised code is in place, as a service would keep it.
    optimized_ms = set->WaitForOptimizedCode();
    benchmark::DoNotOptimize(set);
  }
  if (jit) {
    state.counters["jit_ms"] = jit_ms;  // of the last load: lowering + LLVM, before Load returned
    if (tier == api::LoadOptions::JitTier::kTiered) {
      state.counters["optimized_ms"] = optimized_ms;  // the background compile
    }
  }
}

void BM_Compile_Bundled(benchmark::State& state) {
  CompileBench(state, BundledSources());
}

#ifdef POLICY_BENCH_JIT
// The same, plus the JIT: the difference is the cost of machine code for every decision.
void BM_Compile_Bundled_Jit(benchmark::State& state) {
  CompileBench(state, BundledSources(), true);
}

// The optimised tier compiled before loading returns (JitTier::kOptimized): what the background
// compile of JitTier::kTiered costs.
void BM_Compile_Bundled_JitOptimized(benchmark::State& state) {
  CompileBench(state, BundledSources(), true, api::LoadOptions::JitTier::kOptimized);
}
#endif

void BM_Compile_Generated(benchmark::State& state) {
  const auto sources = GeneratedSource(state.range(0));
  CompileBench(state, sources);
  state.SetComplexityN(state.range(0));
  state.counters["rules_per_s"] =
      benchmark::Counter(static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
  size_t bytes = 0;
  for (const api::SourceFile& f : sources) {
    bytes += f.text.size();
  }
  state.counters["source_bytes"] = static_cast<double>(bytes);
}

// Heap held by a loaded set: glibc's count of bytes in use, before and after, with the sources
// themselves already read. Measured, not estimated.
void MemoryBench(benchmark::State& state, const std::vector<api::SourceFile>& sources) {
  double bytes = 0;
  for (auto _ : state) {
    const size_t before = mallinfo2().uordblks;
    auto set = api::PolicySet::LoadSources(sources);
    const size_t after = mallinfo2().uordblks;
    if (!set) {
      state.SkipWithError(set.error().message.c_str());
      return;
    }
    bytes = static_cast<double>(after - before);
    benchmark::DoNotOptimize(set);
  }
  state.counters["bytes"] = bytes;
}

void BM_Memory_Bundled(benchmark::State& state) {
  MemoryBench(state, BundledSources());
}
void BM_Memory_Generated(benchmark::State& state) {
  MemoryBench(state, GeneratedSource(state.range(0)));
  state.counters["bytes_per_rule"] = state.counters["bytes"] / static_cast<double>(state.range(0));
}

// Heap held per case record, N records kept alive at once (what a batch or a server holding
// cases pays): glibc's bytes in use before and after, divided by N. The baseline holds the same
// cases as bench/baseline.h's struct, which keeps only the facts D1-D3 read.
constexpr size_t kHeldCases = 20000;

template <typename Make>
auto HeapPerItem(benchmark::State& state, Make make) -> void {
  double per_item = 0;
  for (auto _ : state) {
    using Item = decltype(make(size_t{0}));
    std::vector<Item> held;
    held.reserve(kHeldCases);  // outside the count; the handles themselves are added as sizeof
    const size_t before = mallinfo2().uordblks;
    for (size_t i = 0; i < kHeldCases; ++i) {
      held.push_back(make(i));
    }
    const size_t after = mallinfo2().uordblks;
    per_item =
        static_cast<double>(after - before + sizeof(Item) * kHeldCases) / static_cast<double>(kHeldCases);
    benchmark::DoNotOptimize(held);
  }
  state.counters["bytes_per_case"] = per_item;
}

void BM_Memory_Facts_Baseline(benchmark::State& state) {
  Fixture& f = F();
  HeapPerItem(state, [&](size_t i) { return *baseline::FromJson(f.json[i % f.json.size()]); });
}
void BM_Memory_Facts_Json(benchmark::State& state) {
  Fixture& f = F();
  HeapPerItem(state, [&](size_t i) { return std::move(*f.d[0].FactsFromJson(f.json[i % f.json.size()])); });
}
void BM_Memory_Facts_Typed(benchmark::State& state) {
  Fixture& f = F();
  HeapPerItem(state,
              [&](size_t i) { return std::move(*api::CaseToTypedFacts(f.d[0], f.json[i % f.json.size()])); });
}

// One decision of N rules (`rule rI when c.a == I then I`): loading it, with and without the JIT.
// Past jit::kMaxNativeRules a decision runs on the interpreter (docs/jit.md), so the JIT row
// stays linear; counter `native` says whether the decision got machine code.
auto OneBigDecision(int64_t rules) -> std::vector<api::SourceFile> {
  std::string text =
      "module gen.big\n\nrecord Case {\n  a: Int\n}\n\n"
      "decision pick(c: Case) -> Int\n  source \"generated\"\n  default 0\n\n";
  for (int64_t i = 0; i < rules; ++i) {
    text += fmt::format("  rule r{}\n    source \"generated {}\"\n    when c.a == {}\n    then {}\n\n", i, i,
                        i, i);
  }
  return {{"gen/big.policy", std::move(text)}};
}

void BigDecisionBench(benchmark::State& state, bool jit) {
  const auto sources = OneBigDecision(state.range(0));
  CompileBench(state, sources, jit);
  auto set = api::PolicySet::LoadSources(sources, [&] {
    api::LoadOptions o;
    o.jit = jit;
    return o;
  }());
  if (!set) {
    state.SkipWithError(set.error().message.c_str());
    return;
  }
  const api::Decision d = *set->decision("gen.big.pick");
  api::Evaluator ev(*set);
  api::Facts facts = *d.FactsFromJson(fmt::format(R"({{"a": {}}})", state.range(0) - 1));
  const auto r = ev.Evaluate(d, facts, api::Date{std::chrono::year{2025} / 9 / 1});
  if (!r || r->value.to_json() != std::to_string(state.range(0) - 1)) {
    state.SkipWithError("the last rule did not decide");
    return;
  }
  state.counters["native"] = d.native() ? 1 : 0;
}

void BM_Compile_BigDecision(benchmark::State& state) {
  BigDecisionBench(state, false);
}
#ifdef POLICY_BENCH_JIT
void BM_Compile_BigDecision_Jit(benchmark::State& state) {
  BigDecisionBench(state, true);
}
#endif

// ---- what-if ------------------------------------------------------------------------------------

// One what-if question per iteration, on the Hong Kong example cases in turn: Z3 for the smallest
// sets of changes, each confirmed by the interpreter (runtime/analysis/whatif.h).
void WhatIfBench(benchmark::State& state, const char* decision) {
  const fs::path root(POLICY_SOURCE_DIR);
  const policy::LoadResult loaded = policy::Engine::Load({(root / "policies").string()});
  if (!loaded.engine) {
    Die("the bundled policies do not load");
  }
  const uint32_t d = *loaded.engine->FindDecision(decision);
  std::vector<std::string> cases;
  for (const auto& e : fs::directory_iterator(root / "examples/cases")) {
    if (e.path().filename().string().rfind("hk_", 0) == 0) {
      cases.push_back(api::ReadFile(e.path()));
    }
  }
  std::sort(cases.begin(), cases.end());
  policy::WhatIfOptions options;
  options.as_of = *policy::Date::FromCivil(2025, 9, 1);
  size_t i = 0;
  size_t answers = 0;
  for (auto _ : state) {
    policy::DiagnosticSink diags;
    const auto r = policy::WhatIf(*loaded.engine, d, cases[i++ % cases.size()], options, diags);
    if (!r) {
      Die(fmt::format("what-if on {} failed: {}", decision, diags.diagnostics().front().message));
    }
    answers += r->answers.size();
  }
  state.counters["answers"] =
      benchmark::Counter(static_cast<double>(answers), benchmark::Counter::kAvgIterations);
}

void BM_WhatIf_D1(benchmark::State& state) {
  WhatIfBench(state, kD1);
}
void BM_WhatIf_D2(benchmark::State& state) {
  WhatIfBench(state, kD2);
}
void BM_WhatIf_D3(benchmark::State& state) {
  WhatIfBench(state, kD3);
}

BENCHMARK(BM_WhatIf_D1)->Iterations(7)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WhatIf_D2)->Iterations(7)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WhatIf_D3)->Iterations(7)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile_Bundled)->Unit(benchmark::kMillisecond);
#ifdef POLICY_BENCH_JIT
BENCHMARK(BM_Compile_Bundled_Jit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile_Bundled_JitOptimized)->Unit(benchmark::kMillisecond);
#endif
BENCHMARK(BM_Compile_Generated)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);
BENCHMARK(BM_Memory_Bundled)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memory_Generated)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memory_Facts_Baseline)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memory_Facts_Json)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memory_Facts_Typed)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile_BigDecision)->Arg(500)->Arg(10000)->Unit(benchmark::kMillisecond);
#ifdef POLICY_BENCH_JIT
BENCHMARK(BM_Compile_BigDecision_Jit)->Arg(500)->Arg(10000)->Unit(benchmark::kMillisecond);
#endif

// ---- the ratio table -------------------------------------------------------------------------

// Prints the usual console output, then Interp / Baseline for each decision and input path.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration && !r.error_occurred) {
        ns_[r.benchmark_name()] = r.GetAdjustedRealTime() *
                                  benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond) /
                                  benchmark::GetTimeUnitMultiplier(r.time_unit);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    bool header = false;
    for (const char* d : {"D1", "D2", "D3", "Money"}) {
      for (const char* input : {"Typed", "TypedBuild", "Json"}) {
        const auto b = ns_.find(fmt::format("BM_{}_Baseline_{}", d, input));
        const auto i = ns_.find(fmt::format("BM_{}_Interp_{}", d, input));
        const auto j = ns_.find(fmt::format("BM_{}_Jit_{}", d, input));
        if (b == ns_.end() || (i == ns_.end() && j == ns_.end())) {
          continue;
        }
        if (!header) {
          GetOutputStream() << "\nAgainst the hand-written baseline (same run, real time per decision)\n";
          GetOutputStream() << fmt::format("{:<16}{:>13}{:>11}{:>9}{:>10}{:>9}\n", "benchmark", "baseline ns",
                                           "interp ns", "ratio", "jit ns", "ratio");
          header = true;
        }
        const auto cell = [&](auto it, const char* f) {
          return it == ns_.end() ? std::string("-") : fmt::format(fmt::runtime(f), it->second);
        };
        const auto ratio = [&](auto it) {
          return it == ns_.end() ? std::string("-") : fmt::format("{:.2f}x", it->second / b->second);
        };
        GetOutputStream() << fmt::format("{:<16}{:>13.1f}{:>11}{:>9}{:>10}{:>9}\n",
                                         fmt::format("{}_{}", d, input), b->second, cell(i, "{:.1f}"),
                                         ratio(i), cell(j, "{:.1f}"), ratio(j));
      }
    }
  }

 private:
  std::map<std::string, double> ns_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  F();  // build and cross-check the fixtures before timing anything
  M();
#ifdef POLICY_BENCH_JIT
  FJ();
  MJ();
#endif
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

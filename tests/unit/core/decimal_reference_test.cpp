// The decimal arithmetic table (tests/data/decimal_reference.tsv) against every implementation
// of Decimal's operations. The expected results were computed by Python's `decimal` module, an
// implementation independent of ours (tests/data/decimal_reference.py says how, and the ctest
// `decimal_reference_is_current` regenerates the table and compares where python3 is installed).
// Each row is checked on core::Decimal itself, then through a policy on the interpreter, on the
// JIT (when built) and on the Z3 encoding, with the operands read from a JSON case.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "core/decimal.h"
#include "runtime/analysis/encode.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/exact_json.h"

namespace policy {
namespace {

struct Row {
  char op;
  std::string a;
  std::string b;
  std::string expected;  // a number, "overflow" or "division by zero"
  auto Name() const -> std::string { return fmt::format("{} {} {}", a, op, b); }
  auto IsError() const -> bool { return expected == "overflow" || expected == "division by zero"; }
};

auto Rows() -> const std::vector<Row>& {
  static const std::vector<Row> rows = [] {
    std::vector<Row> out;
    std::ifstream in(std::string(POLICY_SOURCE_DIR) + "/tests/data/decimal_reference.tsv");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      Row r;
      std::string op;
      std::getline(fields, op, '\t');
      std::getline(fields, r.a, '\t');
      std::getline(fields, r.b, '\t');
      std::getline(fields, r.expected, '\t');
      r.op = op.empty() ? '?' : op[0];
      out.push_back(r);
    }
    return out;
  }();
  return rows;
}

auto Apply(char op, Decimal a, Decimal b) -> std::optional<Decimal> {
  switch (op) {
    case '+':
      return Decimal::Add(a, b);
    case '-':
      return Decimal::Sub(a, b);
    case '*':
      return Decimal::Mul(a, b);
    case '/':
      return Decimal::Div(a, b);
    case '%':
      return Decimal::Mod(a, b);
    default:
      return std::nullopt;
  }
}

TEST(DecimalReference, TheTableIsThere) {
  ASSERT_GT(Rows().size(), 1000U);
  size_t overflows = 0;
  for (const Row& r : Rows()) {
    overflows += r.expected == "overflow" ? 1 : 0;
  }
  EXPECT_GT(overflows, 50U);  // the limits are crossed, not only approached
}

TEST(DecimalReference, CoreDecimalMatchesPythonDecimal) {
  for (const Row& r : Rows()) {
    const auto a = Decimal::Parse(r.a);
    const auto b = Decimal::Parse(r.b);
    ASSERT_TRUE(a && b) << r.Name();
    const auto result = Apply(r.op, *a, *b);
    if (r.IsError()) {
      EXPECT_FALSE(result.has_value()) << r.Name() << " should fail with " << r.expected;
      EXPECT_EQ(*b == Decimal() && (r.op == '/' || r.op == '%'), r.expected == "division by zero")
          << r.Name();
    } else {
      ASSERT_TRUE(result.has_value()) << r.Name() << " should be " << r.expected;
      EXPECT_EQ(result->ToString(), r.expected) << r.Name();
    }
  }
}

constexpr const char* kPolicy = R"(module t

record C {
  a: Decimal
  b: Decimal
}

decision add(c: C) -> Decimal
  default c.a + c.b
decision sub(c: C) -> Decimal
  default c.a - c.b
decision mul(c: C) -> Decimal
  default c.a * c.b
decision div(c: C) -> Decimal
  default c.a / c.b
decision mod(c: C) -> Decimal
  default c.a % c.b
)";

auto DecisionFor(char op) -> std::string {
  switch (op) {
    case '+':
      return "t.add";
    case '-':
      return "t.sub";
    case '*':
      return "t.mul";
    case '/':
      return "t.div";
    default:
      return "t.mod";
  }
}

auto Load(bool jit) -> std::shared_ptr<const Engine> {
  EngineOptions options;
  options.include_stdlib = false;
  options.jit = jit;
  const LoadResult loaded = Engine::LoadSources({{"t.policy", kPolicy}}, options);
  EXPECT_TRUE(loaded.engine) << RenderDiagnostics(loaded.diagnostics.Sorted(), *loaded.sources,
                                                  DiagFormat::kShort);
  return loaded.engine;
}

auto CaseJson(const Row& r) -> std::string {
  return fmt::format(R"({{"a": {}, "b": {}}})", r.a, r.b);
}

// The decision's value as JSON text, or "overflow" / "division by zero" from the E0912 message.
auto Outcome(const Engine& e, const Row& r, bool native) -> std::string {
  const uint32_t d = *e.FindDecision(DecisionFor(r.op));
  auto ctx = e.NewContext();
  ctx->set_native(native);
  DiagnosticSink diags;
  const auto input = e.ReadCase(d, CaseJson(r), "case.json", *ctx, diags);
  if (!input) {
    return "unreadable case: " + RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
  }
  const auto result = e.Evaluate(d, *input, *Date::Parse("2025-06-01"), *ctx, nullptr, diags);
  if (!result) {
    const std::string text = RenderDiagnostics(diags.diagnostics(), e.sources(), DiagFormat::kShort);
    if (text.find("E0912") != std::string::npos && text.find("by zero") != std::string::npos) {
      return "division by zero";
    }
    if (text.find("E0912") != std::string::npos && text.find("overflowed") != std::string::npos) {
      return "overflow";
    }
    return "error: " + text;
  }
  return exact_json::Dump(e.ValueToJson(e.DecisionResultType(d), result->value));
}

TEST(DecimalReference, TheInterpreterMatchesPythonDecimal) {
  const auto engine = Load(false);
  ASSERT_TRUE(engine);
  for (const Row& r : Rows()) {
    EXPECT_EQ(Outcome(*engine, r, false), r.expected) << r.Name();
  }
}

#ifdef POLICY_TEST_JIT
TEST(DecimalReference, TheJitGivesTheInterpretersValue) {
  const auto engine = Load(true);
  ASSERT_TRUE(engine);
  for (const char* name : {"t.add", "t.sub", "t.mul", "t.div", "t.mod"}) {
    const uint32_t d = *engine->FindDecision(name);
    ASSERT_TRUE(engine->native_report().native[d]) << name << ": " << engine->native_report().reasons[d];
  }
  for (const Row& r : Rows()) {
    EXPECT_EQ(Outcome(*engine, r, true), r.expected) << r.Name();
  }
}
#endif

// Z3, with the operands pinned to the row's values, proves the decision's value is the expected
// one (and is not satisfiable with any other). Rows that fail are skipped: the encoding does not
// model evaluation errors (runtime/analysis/encode.h).
TEST(DecimalReference, Z3ProvesTheExpectedValue) {
  const auto engine = Load(false);
  ASSERT_TRUE(engine);
  const ir::Program& ir = engine->program().ir();
  z3::context ctx;
  analysis::InputPool pool(ctx, std::nullopt);
  analysis::Encoder encoder(ir, pool);
  std::map<char, const analysis::DecisionSym*> syms;
  for (const char op : {'+', '-', '*', '/', '%'}) {
    syms[op] = encoder.Decision(*ir.FindDecision(DecisionFor(op)));
    ASSERT_NE(syms[op], nullptr);
    EXPECT_TRUE(syms[op]->approximations.empty()) << op << " should be encoded exactly";
  }
  ASSERT_EQ(pool.leaves().size(), 2U);  // c.a and c.b
  z3::solver solver(ctx);
  for (const z3::expr& e : pool.domain()) {
    solver.add(e);
  }
  for (const z3::expr& e : encoder.axioms()) {
    solver.add(e);
  }
  size_t proven = 0;
  for (const Row& r : Rows()) {
    if (r.IsError()) {
      continue;
    }
    const analysis::DecisionSym& sym = *syms.at(r.op);
    solver.push();
    for (const analysis::InputLeaf& leaf : pool.leaves()) {
      const std::string& operand = leaf.path.back() == "a" ? r.a : r.b;
      solver.add(leaf.sym.e[0] == ctx.int_val(Decimal::Parse(operand)->CoefficientText().c_str()));
    }
    solver.add(sym.defined);
    const z3::expr expected = ctx.int_val(Decimal::Parse(r.expected)->CoefficientText().c_str());
    solver.add(sym.value.e[0] != expected);
    EXPECT_EQ(solver.check(), z3::unsat) << r.Name() << " should be " << r.expected;
    solver.pop();
    ++proven;
  }
  EXPECT_GT(proven, 1000U);
}

}  // namespace
}  // namespace policy

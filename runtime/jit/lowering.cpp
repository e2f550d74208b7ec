// Lowering: which decisions and functions are lowered, each once, into the one module of a tier.
// Apart from the code of each kind of node because it decides what runs natively at all: a
// decision that cannot be lowered, or that calls one that cannot, is left whole to the interpreter.
#include "runtime/jit/lowering.h"

#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace policy::jit {

template <typename Body>
auto Lowering::Ensure(Lowered& l, const std::string& symbol, const std::string& name, Body body,
                      uint32_t slots) -> llvm::Function* {
  switch (l.state) {
    case Lowered::State::kDone:
      return l.fn;
    case Lowered::State::kFailed:
      throw Unsupported{fmt::format("calls `{}`, which runs on the interpreter", name)};
    case Lowered::State::kInProgress:
      throw Unsupported{fmt::format("`{}` calls itself", name)};
    case Lowered::State::kNotYet:
      break;
  }
  l.state = Lowered::State::kInProgress;
  llvm::Function* fn = llvm::Function::Create(fn_type_, llvm::Function::ExternalLinkage, symbol, module_);
  try {
    FunctionLowering f(*this, fn, slots);
    body(f);
    std::string errors;
    llvm::raw_string_ostream os(errors);
    if (llvm::verifyFunction(*fn, &os)) {
      os.flush();
      throw Unsupported{"the generated code did not verify (internal): " +
                        errors.substr(0, errors.find('\n'))};
    }
  } catch (Unsupported& u) {
    fn->eraseFromParent();
    l.state = Lowered::State::kFailed;
    throw;
  }
  l.state = Lowered::State::kDone;
  l.fn = fn;
  return fn;
}

auto Lowering::Decision(uint32_t d) -> llvm::Function* {
  const ir::Decision& decision = ir_.decisions[d];
  return Ensure(
      decisions_[d], "decision " + decision.name, decision.name,
      [&](FunctionLowering& f) {
        // Past the limits of jit.h, the interpreter: loading stays bounded.
        size_t nodes = decision.default_value ? Size(*decision.default_value) : 0;
        for (const ir::Rule& r : decision.rules) {
          nodes += Size(*r.then);
          for (const ir::Conjunct& c : r.when) {
            nodes += Size(*c.cond);
          }
        }
        if (decision.rules.size() > kMaxNativeRules || nodes > kMaxNativeNodes) {
          throw Unsupported{fmt::format(
              "too large to compile quickly ({} rules, {} expression nodes; the limits are {} and {})",
              decision.rules.size(), nodes, kMaxNativeRules, kMaxNativeNodes)};
        }
        f.LowerDecision(decision);
      },
      SlotsOf(decision));
}

auto Lowering::Function(uint32_t i) -> llvm::Function* {
  return Ensure(
      functions_[i], "function " + ir_.functions[i].name, ir_.functions[i].name,
      [&](FunctionLowering& f) { f.LowerFunction(ir_.functions[i]); }, SlotsOf(ir_.functions[i]));
}

auto Lowering::SlotsOf(const ir::Function& f) -> uint32_t {
  uint32_t max = std::max(f.num_slots, f.num_params);
  MaxSlot(f.body.get(), max);
  return max;
}

void Lowering::MaxSlot(const ir::Node* n, uint32_t& max) {
  if (n == nullptr) {
    return;
  }
  if (n->op == ir::Op::kLocal || n->op == ir::Op::kAggregate ||
      (n->op == ir::Op::kMatchOptional && n->a != UINT32_MAX)) {
    max = std::max(max, n->a + 1);
  }
  for (const uint32_t b : n->bind) {
    if (b != UINT32_MAX) {
      max = std::max(max, b + 1);
    }
  }
  for (const auto& k : n->kids) {
    MaxSlot(k.get(), max);
  }
}

auto Lowering::SlotsOf(const ir::Decision& d) -> uint32_t {
  uint32_t max = std::max<uint32_t>(d.num_slots, static_cast<uint32_t>(d.params.size()));
  MaxSlot(d.default_value.get(), max);
  for (const ir::Rule& r : d.rules) {
    for (const ir::Conjunct& c : r.when) {
      MaxSlot(c.cond.get(), max);
    }
    MaxSlot(r.then.get(), max);
  }
  return max;
}

auto Lower(const vm::CompiledProgram& program, vm::JitTier tier,
           const llvm::orc::JITTargetMachineBuilder& jtmb, const llvm::DataLayout& layout, LlvmCode& code,
           std::vector<DecisionReport>* reports) -> LoweredModule {
  const ir::Program& ir = program.ir();
  LoweredModule out;
  out.context = std::make_unique<llvm::LLVMContext>();
  out.module = std::make_unique<llvm::Module>("policies", *out.context);
  out.module->setDataLayout(layout);
  out.module->setTargetTriple(jtmb.getTargetTriple().str());
  Lowering lowering(program, *out.context, *out.module, code, tier != vm::JitTier::kQuick);
  out.names.resize(ir.decisions.size());
  for (uint32_t d = 0; d < ir.decisions.size(); ++d) {
    try {
      const size_t operations_before = lowering.operation_count();
      out.names[d] = lowering.Decision(d)->getName().str();
      if (reports != nullptr) {
        (*reports)[d].native = true;
        (*reports)[d].operations = lowering.operation_count() - operations_before;
      }
    } catch (const Unsupported& u) {
      if (reports != nullptr) {
        (*reports)[d] = {false, u.reason};
      }
    }
  }
  return out;
}

}  // namespace policy::jit

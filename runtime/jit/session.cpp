// The ORC session: from lowered modules to machine code that runs, in one tier or two. Apart from
// the lowering because it owns LLVM's JIT, threads and the tiers' timing, and never looks at a node.
#include "runtime/jit/lowering.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/JITEventListener.h>
#include <llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/ExecutionEngine/SectionMemoryManager.h>
#include <llvm/Object/SymbolSize.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

namespace policy::jit {
namespace {

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

auto Elapsed(std::chrono::steady_clock::time_point since) -> double {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

// The IR optimisation of each tier. Quick: the function simplification pipeline at O1 (SROA,
// instcombine, CFG simplification, ...) without the inliner, about 70 ms for the bundled
// policies. Optimised: the whole O2 pipeline, inliner included.
void Optimize(llvm::Module& module, vm::JitTier tier) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  if (tier == vm::JitTier::kQuick) {
    mpm.addPass(llvm::createModuleToFunctionPassAdaptor(
        pb.buildFunctionSimplificationPipeline(llvm::OptimizationLevel::O1, llvm::ThinOrFullLTOPhase::None)));
  } else {
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  }
  mpm.run(module, mam);
}

// For looking at what the backend generates (docs/jit.md, "Reading the generated code").
void DumpIrIfAsked(const llvm::Module& module) {
  if (const char* dump = std::getenv("POLICY_JIT_DUMP_IR"); dump != nullptr && *dump != '\0') {
    std::error_code ec;
    llvm::raw_fd_ostream os(dump, ec);
    if (!ec) {
      module.print(os, nullptr);
    }
  }
}

// POLICY_JIT_PERF_MAP=1: every function the JIT emits is appended to /tmp/perf-<pid>.map, the
// file `perf report` reads to name samples in code it found no binary for, so a profile shows
// `decision hk.entry.applicant_documents` instead of a bare address (docs/jit.md, "Profiling
// the generated code"). The names and sizes come from the object file RuntimeDyld loaded, with
// its sections at the addresses they were loaded to.
class PerfMapListener final : public llvm::JITEventListener {
 public:
  static auto Instance() -> PerfMapListener& {
    static PerfMapListener listener;
    return listener;
  }
  void notifyObjectLoaded(ObjectKey, const llvm::object::ObjectFile& object,
                          const llvm::RuntimeDyld::LoadedObjectInfo& info) override {
    const llvm::object::OwningBinary<llvm::object::ObjectFile> loaded = info.getObjectForDebug(object);
    if (loaded.getBinary() == nullptr) {
      return;
    }
    std::string lines;
    for (const auto& [symbol, size] : llvm::object::computeSymbolSizes(*loaded.getBinary())) {
      auto type = symbol.getType();
      auto name = symbol.getName();
      auto address = symbol.getAddress();
      if (!type || !name || !address || *type != llvm::object::SymbolRef::ST_Function || size == 0) {
        llvm::consumeError(type.takeError());
        llvm::consumeError(name.takeError());
        llvm::consumeError(address.takeError());
        continue;
      }
      lines += fmt::format("{:x} {:x} {}\n", *address, size, name->str());
    }
    const std::lock_guard lock(mutex_);  // both tiers may load code at once
    if (std::FILE* f = std::fopen(fmt::format("/tmp/perf-{}.map", ::getpid()).c_str(), "a")) {
      std::fputs(lines.c_str(), f);
      std::fclose(f);
    }
  }

 private:
  std::mutex mutex_;
};

auto PerfMapAsked() -> bool {
  const char* asked = std::getenv("POLICY_JIT_PERF_MAP");
  return asked != nullptr && *asked != '\0' && *asked != '0';
}

// Compiles an optimised module to machine code. The quick tier uses LLVM's fast code generator
// (no instruction scheduling, a simple register allocator): 47 decisions in about 35 ms. The
// optimised tier uses the full one, which takes several times longer and makes D1-D3 run about
// a third faster (docs/jit.md).
auto Emit(LoweredModule lowered, vm::JitTier tier, llvm::orc::JITTargetMachineBuilder jtmb,
          std::unique_ptr<llvm::orc::LLJIT>* jit, std::vector<vm::NativeFn>* entries) -> std::string {
  jtmb.setCodeGenOptLevel(tier == vm::JitTier::kQuick ? llvm::CodeGenOpt::None : llvm::CodeGenOpt::Default);
  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(std::move(jtmb));
  if (PerfMapAsked()) {
    // The linking layer LLJIT makes by default on ELF, with the listener attached.
    builder.setObjectLinkingLayerCreator([](llvm::orc::ExecutionSession& session, const llvm::Triple&) {
      auto layer = std::make_unique<llvm::orc::RTDyldObjectLinkingLayer>(
          session, [] { return std::make_unique<llvm::SectionMemoryManager>(); });
      layer->registerJITEventListener(PerfMapListener::Instance());
      return llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>>(std::move(layer));
    });
  }
  auto created = builder.create();
  if (!created) {
    return "LLVM's JIT could not start: " + llvm::toString(created.takeError());
  }
  *jit = std::move(*created);
  if (auto err = (*jit)->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(lowered.module), std::move(lowered.context)))) {
    return "LLVM could not compile the policies: " + llvm::toString(std::move(err));
  }
  entries->assign(lowered.names.size(), nullptr);
  std::string failure;
  for (size_t d = 0; d < lowered.names.size(); ++d) {
    if (lowered.names[d].empty()) {
      continue;
    }
    auto sym = (*jit)->lookup(lowered.names[d]);
    if (!sym) {
      failure = "LLVM could not compile it: " + llvm::toString(sym.takeError());
      continue;
    }
#if LLVM_VERSION_MAJOR >= 15
    (*entries)[d] = sym->toPtr<vm::NativeFn>();
#else
    (*entries)[d] = reinterpret_cast<vm::NativeFn>(static_cast<uintptr_t>(sym->getAddress()));
#endif
  }
  return failure;
}

// The background half of JitTier::kTiered: optimise, compile, then replace each decision's quick
// entry. Checks `cancel` between the steps LLVM cannot interrupt.
void CompileOptimizedInBackground(LlvmCode* code, LoweredModule lowered,
                                  llvm::orc::JITTargetMachineBuilder jtmb) {
  const auto start = std::chrono::steady_clock::now();
  vm::OptimizedCode status;
  try {
    if (code->cancel.load(std::memory_order_relaxed)) {
      status.failure = "cancelled: the policy set was unloaded first";
    } else {
      Optimize(*lowered.module, vm::JitTier::kOptimized);
      std::vector<vm::NativeFn> entries;
      if (code->cancel.load(std::memory_order_relaxed)) {
        status.failure = "cancelled: the policy set was unloaded first";
      } else if (std::string failure = Emit(std::move(lowered), vm::JitTier::kOptimized, std::move(jtmb),
                                            &code->optimized, &entries);
                 !failure.empty()) {
        status.failure = failure;
      } else {
        for (size_t d = 0; d < entries.size() && d < code->count; ++d) {
          if (entries[d] != nullptr && code->entries[d].load(std::memory_order_relaxed) != nullptr) {
            code->entries[d].store(entries[d], std::memory_order_release);
            ++status.decisions;
          }
        }
        status.installed = true;
      }
    }
  } catch (const std::exception& e) {  // out of memory: the quick code keeps serving
    status.failure = e.what();
  }
  status.ms = Elapsed(start);
  code->FinishOptimized(std::move(status));
}

}  // namespace

auto CompileNative(const vm::CompiledProgram& program, vm::JitTier tier, Report* report)
    -> std::shared_ptr<const vm::NativeCode> {
  const ir::Program& ir = program.ir();
  Report local;
  Report& r = report != nullptr ? *report : local;
  r = Report{};
  r.decisions.resize(ir.decisions.size());
  const auto fail_all = [&](const std::string& why) -> std::shared_ptr<const vm::NativeCode> {
    for (DecisionReport& d : r.decisions) {
      d = {false, why};
    }
    r.native_count = 0;
    return nullptr;
  };

  const auto start = std::chrono::steady_clock::now();
  InitializeLlvm();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    return fail_all("LLVM does not support this machine: " + llvm::toString(jtmb.takeError()));
  }
  auto layout = jtmb->getDefaultDataLayoutForTarget();
  if (!layout) {
    return fail_all("LLVM does not support this machine: " + llvm::toString(layout.takeError()));
  }
  auto code = std::make_shared<LlvmCode>(ir.decisions.size());
  // The first tier to run: the quick code, or for kOptimized the optimised code. kTiered lowers
  // a second copy for the background compile (lowering is a few milliseconds; LLVM modules
  // cannot be shared between threads).
  const vm::JitTier first = tier == vm::JitTier::kOptimized ? vm::JitTier::kOptimized : vm::JitTier::kQuick;
  LoweredModule lowered = Lower(program, first, *jtmb, *layout, *code, &r.decisions);
  std::optional<LoweredModule> second;
  if (tier == vm::JitTier::kTiered) {
    second = Lower(program, vm::JitTier::kOptimized, *jtmb, *layout, *code, nullptr);
  }
  r.lower_ms = Elapsed(start);

  const auto compile_start = std::chrono::steady_clock::now();
  Optimize(*lowered.module, first);
  DumpIrIfAsked(*lowered.module);
  const std::vector<std::string> names = lowered.names;
  std::vector<vm::NativeFn> entries;
  const std::string failure = Emit(std::move(lowered), first, *jtmb, &code->first, &entries);
  if (code->first == nullptr || entries.size() != ir.decisions.size()) {
    return fail_all(failure);
  }
  for (uint32_t d = 0; d < ir.decisions.size(); ++d) {
    if (entries[d] != nullptr) {
      code->entries[d].store(entries[d], std::memory_order_relaxed);
      ++r.native_count;
    } else if (!names[d].empty()) {
      r.decisions[d] = {false, failure.empty() ? "LLVM could not compile it" : failure};
    }
  }
  r.compile_ms = Elapsed(compile_start);
  if (second) {
    // The thread is joined by ~LlvmCode, which `code` (and so the program) outlives.
    code->optimizer = std::thread(CompileOptimizedInBackground, code.get(), std::move(*second), *jtmb);
  } else {
    const bool optimized = tier == vm::JitTier::kOptimized;
    code->FinishOptimized({.installed = optimized,
                           .decisions = optimized ? r.native_count : 0,
                           .ms = optimized ? r.compile_ms : 0.0,
                           .failure = {}});
  }
  return code;
}

}  // namespace policy::jit

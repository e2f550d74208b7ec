// Fuzz target: the bytes choose a random well-typed program and a case for it (program_gen.h),
// and the invariants of CheckGeneratedProgram must hold: it compiles, every decision evaluates
// deterministically, and the explanation agrees with the value.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/program_gen.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = policy::fuzz::CheckGeneratedProgram({data, size});
  if (!failure.empty()) {
    std::fprintf(stderr, "%s\n", failure.c_str());
    std::abort();
  }
  return 0;
}

# The optional LLVM backend (runtime/jit). On when Debian's LLVM development package is
# installed (scripts/install-deps.sh installs llvm-${POLICY_LLVM_VERSION}-dev), off otherwise; the
# interpreter is always built. -DPOLICY_JIT=OFF leaves it out even when LLVM is present.
set(POLICY_LLVM_VERSION 14 CACHE STRING "Major version of Debian's LLVM used by the JIT")
# LLVMConfig.cmake probes C compiler features (toolchain notes, pitfall 9).
enable_language(C)
find_package(LLVM ${POLICY_LLVM_VERSION} CONFIG QUIET
             HINTS /usr/lib/llvm-${POLICY_LLVM_VERSION}/lib/cmake/llvm)
if(LLVM_FOUND)
  set(_policy_jit_default ON)
else()
  set(_policy_jit_default OFF)
endif()
option(POLICY_JIT "Compile decisions to machine code with LLVM ORC (needs llvm-N-dev)" ${_policy_jit_default})
if(POLICY_JIT AND NOT LLVM_FOUND)
  message(FATAL_ERROR "POLICY_JIT=ON needs LLVM ${POLICY_LLVM_VERSION} (apt-get install llvm-${POLICY_LLVM_VERSION}-dev)")
endif()
if(POLICY_JIT)
  message(STATUS "JIT: LLVM ${LLVM_PACKAGE_VERSION} (${LLVM_DIR})")
else()
  message(STATUS "JIT: off (the interpreter only)")
endif()

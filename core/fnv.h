// FNV-1a, 64 bits: a fast, stable, non-cryptographic hash. Used where a value must be the same
// on every machine and in every run (a policy set's revision, the seeds of searches), never for
// security.
#pragma once

#include <cstdint>
#include <string_view>

namespace policy {

inline constexpr uint64_t kFnv1a64Basis = 1469598103934665603ULL;

// Continues a hash from `state` (kFnv1a64Basis to start one).
constexpr auto Fnv1a64(std::string_view bytes, uint64_t state = kFnv1a64Basis) -> uint64_t {
  for (const char c : bytes) {
    state ^= static_cast<unsigned char>(c);
    state *= 1099511628211ULL;
  }
  return state;
}

}  // namespace policy

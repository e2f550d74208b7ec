// Exit codes of the `policy` command (documented in README.md, "Exit codes").
#pragma once

namespace policy::cli {

inline constexpr int kExitOk = 0;          // success; all tests passed
inline constexpr int kExitFindings = 1;    // a test failed
inline constexpr int kExitInputError = 2;  // bad usage, bad policy, bad case file, unknown decision
inline constexpr int kExitEvalError = 3;   // evaluation failed: conflicting rules, a needed decision
                                           // not applicable, arithmetic overflow
inline constexpr int kExitInternal = 70;   // a bug in the toolchain (please report it)

}  // namespace policy::cli

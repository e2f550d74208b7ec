// The `policy` command as a function, so tests can run it in-process with captured output.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace policy::cli {

struct DriverEnv {
  bool color = false;  // ANSI colours in human diagnostics
  std::string today;   // default --as-of (YYYY-MM-DD); empty = the system date
};

// args excludes the program name. Returns the exit code (see exit_codes.h).
auto RunPolicyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const DriverEnv& env = {}) -> int;

}  // namespace policy::cli

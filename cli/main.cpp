// Entry point of the `policy` command. Everything else lives in driver.cpp so tests can run the
// command in-process.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/driver.h"

auto main(int argc, char** argv) -> int {
  std::vector<std::string> args(argv + 1, argv + argc);
  policy::cli::DriverEnv env;
  env.color = isatty(STDERR_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  if (const char* today = std::getenv("POLICY_TODAY")) {
    env.today = today;
  }
  return policy::cli::RunPolicyCommand(args, std::cout, std::cerr, env);
}

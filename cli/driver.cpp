#include "cli/driver.h"

#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace policy::cli {

auto RunPolicyCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const DriverEnv& env) -> int {
  CLI::App app{"policy: check, evaluate, explain and test policies written in the policy language", "policy"};
  app.set_version_flag("--version", VersionText());
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 failing tests, lint warnings, files to format (fmt --check), decisions that "
      "differ (diff, replay), what --fail-on names (review), conflicts, dead rules and gaps (analyze) or "
      "cases that failed (batch), 2 bad "
      "usage or "
      "input (policy or case errors), 3 evaluation error "
      "(conflicting rules, ...).\nRun `policy <command> --help` for a command's options.");
  Io io{out, err, env};
  Runner check = AddCheckCommand(app, io);
  Runner eval = AddEvalCommand(app, io);
  Runner test = AddTestCommand(app, io);
  Runner format = AddFmtCommand(app, io);
  Runner lint = AddLintCommand(app, io);
  Runner diff = AddDiffCommand(app, io);
  Runner analyze = AddAnalyzeCommand(app, io);
  Runner serve = AddServeCommand(app, io);
  Runner replay = AddReplayCommand(app, io);
  Runner batch = AddBatchCommand(app, io);
  Runner sql = AddSqlCommand(app, io);
  Runner review = AddReviewCommand(app, io);
  Runner lsp = AddLspCommand(app, io);

  std::vector<std::string> argv_storage = {"policy"};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_storage) {
    argv.push_back(s.data());
  }
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << VersionText() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // --help on a subcommand arrives here as CallForHelp from that subcommand.
    if (e.get_exit_code() == 0) {
      for (CLI::App* sub : app.get_subcommands()) {
        out << sub->help();
        return kExitOk;
      }
      out << app.help();
      return kExitOk;
    }
    err << "error: " << e.what() << "\n";
    err << "run `policy --help` for usage\n";
    return kExitInputError;
  }
  try {
    for (CLI::App* sub : app.get_subcommands()) {
      const std::string name = sub->get_name();
      if (name == "check") {
        return check();
      }
      if (name == "fmt") {
        return format();
      }
      if (name == "lint") {
        return lint();
      }
      if (name == "diff") {
        return diff();
      }
      if (name == "analyze") {
        return analyze();
      }
      if (name == "batch") {
        return batch();
      }
      if (name == "sql") {
        return sql();
      }
      if (name == "review") {
        return review();
      }
      if (name == "lsp") {
        return lsp();
      }
      if (name == "serve") {
        return serve();
      }
      if (name == "replay") {
        return replay();
      }
      if (name == "eval") {
        return eval();
      }
      if (name == "test") {
        return test();
      }
    }
  } catch (const std::exception& e) {
    err << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitInputError;
}

}  // namespace policy::cli

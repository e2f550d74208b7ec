// `policy check PATHS`: parse and check every file, report every problem.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "compiler/ir/lower.h"

namespace policy::cli {

auto AddCheckCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::string format = "human";
    std::string dump;
    bool list = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand("check", "Parse and type-check policies; report every problem found");
  sub->set_version_flag("--version", std::string("policy ") + POLICY_VERSION);
  sub->add_option("paths", options->paths, "Policy files or directories (searched for *.policy)")->required();
  sub->add_option(
         "--format", options->format,
         "Diagnostics as `human` (default), `short` (one line each), `json` or `sarif` (SARIF 2.1.0)")
      ->check(CLI::IsMember({"human", "short", "json", "sarif"}));
  sub->add_option("--dump", options->dump, "Also print a stage's output: `ir`")->check(CLI::IsMember({"ir"}));
  sub->add_flag("--list", options->list, "List the decisions the policies declare");
  return Runner([options, &io]() {
    const DiagFormat format = ParseFormat(options->format);
    LoadResult loaded = Engine::Load(options->paths);
    PrintDiagnostics(io, loaded.diagnostics, *loaded.sources, format);
    if (!loaded.engine) {
      return kExitInputError;
    }
    if (options->dump == "ir") {
      io.out << ir::PrintIr(loaded.engine->program().ir());
    }
    if (options->list) {
      for (const std::string& name : loaded.engine->DecisionNames()) {
        io.out << name << "\n";
      }
    }
    if (format == DiagFormat::kJson) {
      io.out << "[]\n";
    } else if (format == DiagFormat::kSarif) {
      if (loaded.diagnostics.diagnostics().empty()) {
        io.out << RenderDiagnostics({}, *loaded.sources, format);
      }
    } else if (!options->list && options->dump.empty()) {
      const ir::Program& p = loaded.engine->program().ir();
      size_t user_files = 0;
      for (size_t i = 0; i < loaded.sources->size(); ++i) {
        user_files += loaded.sources->Get(static_cast<FileId>(i)).path().rfind("<stdlib>", 0) == 0 ? 0 : 1;
      }
      io.err << fmt::format("ok: {} file{}, {} decision{}, {} test{}\n", user_files,
                            user_files == 1 ? "" : "s", p.decisions.size(),
                            p.decisions.size() == 1 ? "" : "s", p.tests.size(),
                            p.tests.size() == 1 ? "" : "s");
    }
    return kExitOk;
  });
}

}  // namespace policy::cli

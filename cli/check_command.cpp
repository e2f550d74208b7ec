// `policy check PATHS`: parse and check every file, report every problem.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "compiler/ir/lower.h"

namespace policy::cli {

auto AddCheckCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    FormatOption format;
    std::string dump;
    bool list = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(app, "check", "Parse and type-check policies; report every problem found");
  AddPathsOption(sub, options->paths);
  options->format.AddTo(sub, "Diagnostics",
                        {DiagFormat::kHuman, DiagFormat::kShort, DiagFormat::kJson, DiagFormat::kSarif});
  sub->add_option("--dump", options->dump, "Also print a stage's output: `ir`")->check(CLI::IsMember({"ir"}));
  sub->add_flag("--list", options->list, "List the decisions the policies declare");
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    LoadResult loaded = Engine::Load(options->paths);
    if (!loaded.engine) {
      RenderFindings(io, loaded.diagnostics, *loaded.sources, format, "");
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
    // With --list or --dump the command prints what it was asked for, and no `ok:` line.
    const bool listing = options->list || !options->dump.empty();
    RenderFindings(io, loaded.diagnostics, *loaded.sources, format,
                   listing ? std::string() : CheckSummary(*loaded.engine));
    return kExitOk;
  });
}

}  // namespace policy::cli

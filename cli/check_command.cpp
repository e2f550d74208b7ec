// `policy check PATHS`: parse and check every file, report every problem.
//   --dump ast   also print the syntax tree of each file as parsed (compiler/syntax/print_ast.h),
//                whether or not checking then succeeds
//   --dump ir    also print the IR (compiler/ir/lower.h), which exists only when everything checks
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "compiler/ir/lower.h"
#include "compiler/pipeline.h"
#include "compiler/syntax/print_ast.h"

namespace policy::cli {
namespace {

// The files are parsed a second time, on their own: the engine keeps no syntax tree, and this
// way the dump shows the tree before the checker annotates it. Problems are not reported here;
// Engine::Load reports the same ones.
void DumpAst(Io& io, const std::vector<std::string>& paths) {
  SourceManager sources;
  DiagnosticSink ignored;
  const std::vector<std::string> files = CollectPolicyFiles(paths, ignored);
  for (const ast::Module& module : ParseFiles(files, CompileOptions{}, sources, ignored)) {
    io.out << syntax::PrintAst(module, sources);
  }
}

}  // namespace

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
  options->format.AddTo(sub, "Diagnostics");
  sub->add_option("--dump", options->dump,
                  "Also print a stage's output to standard output: `ast` (the syntax tree of each file, "
                  "as parsed) or `ir` (the lowered program, when it checks)")
      ->check(CLI::IsMember({"ast", "ir"}));
  sub->add_flag("--list", options->list, "List the decisions the policies declare");
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    if (options->dump == "ast") {
      DumpAst(io, options->paths);
    }
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

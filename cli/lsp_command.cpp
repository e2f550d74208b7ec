// `policy lsp [--as-of DATE] [--lint-delay MS] [PATHS]`: the language server on standard input and output
// (lsp/server.h, docs/editors.md). Editors start it; nobody types into it. Diagnostics of its own
// (a broken message stream, the client gone) go to standard error, which editors keep as a log.
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "lsp/server.h"

namespace policy::cli {

auto AddLspCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    AsOfOption today;
    int lint_delay_ms = 400;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(
      app, "lsp",
      "Run the language server (LSP 3.17 over standard input and output) for editors: diagnostics as you "
      "type, "
      "hover with the law behind a rule, definitions, references, rename, completion, formatting");
  sub->add_option(
      "paths", options->paths,
      "The policy set (files or directories). Without it: the client's initializationOptions.paths, "
      "else the workspace folders");
  // The date lint and a parameter's value in hover are for.
  options->today.AddTo(sub);
  sub->add_option("--lint-delay", options->lint_delay_ms,
                  "Milliseconds after the last edit before lint runs (default 400)")
      ->check(CLI::Range(0, 60000));
  return Runner([options, &io]() {
    DiagnosticSink diags;
    lsp::ServerOptions server;
    if (options->today.given() || !io.env.today.empty()) {
      const auto today = options->today.Resolve(io.env, diags);
      if (!today) {
        io.err << RenderDiagnostics(diags.Sorted(), SourceManager(), DiagFormat::kHuman);
        return kExitInputError;
      }
      server.today = today;
    }
    for (const std::string& p : options->paths) {
      std::error_code ec;
      if (!std::filesystem::exists(p, ec)) {
        io.err << "error: no such file or directory: `" << p << "`\n";
        return kExitInputError;
      }
      server.paths.push_back(std::filesystem::absolute(p, ec).lexically_normal().string());
    }
    server.lint_delay = std::chrono::milliseconds(options->lint_delay_ms);
    server.version = POLICY_VERSION;
    return lsp::RunLanguageServer(std::move(server), STDIN_FILENO, STDOUT_FILENO);
  });
}

}  // namespace policy::cli

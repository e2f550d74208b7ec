// `policy fmt PATHS`: rewrite files in the canonical layout (compiler/syntax/format.h).
//   policy fmt policies/            rewrite every *.policy file that is not already canonical
//   policy fmt --check policies/    rewrite nothing; list the files that are not, exit 1 if any
//   policy fmt -                    format standard input to standard output
// A file with syntax errors is reported and left as it is. A rewrite goes to a temporary file
// in the same directory that is then renamed over the original, so an interrupted run never
// leaves a half-written policy.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "compiler/syntax/format.h"

namespace policy::cli {
namespace {

auto WriteAtomically(const std::string& path, const std::string& text) -> bool {
  const std::string tmp = path + ".fmt-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace

auto AddFmtCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    bool check = false;
    FormatOption format;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub =
      AddSubcommand(app, "fmt", "Rewrite policy files in the canonical layout (or check that they are)");
  AddPathsOption(sub, options->paths, "; `-` formats standard input to standard output");
  sub->add_flag(
      "--check", options->check,
      "Change nothing; list the files that are not in the canonical layout and exit 1 if there are any");
  options->format.AddTo(sub, "Diagnostics", {DiagFormat::kHuman, DiagFormat::kShort, DiagFormat::kJson});
  return Runner([options, &io]() {
    const DiagFormat format = options->format.Get();
    SourceManager sources;
    DiagnosticSink diags;
    int changed = 0;
    bool failed = false;
    if (options->paths.size() == 1 && options->paths[0] == "-") {
      BoundedRead read = ReadBounded("-", syntax::ParseLimits{}.max_source_bytes);
      if (read.status != BoundedRead::Status::kOk) {
        diags.ReportInput(read.status == BoundedRead::Status::kTooLarge ? DiagCode::kFileTooLarge
                                                                        : DiagCode::kCannotReadFile,
                          "<stdin>", "", "cannot format standard input");
        PrintDiagnostics(io, diags, sources, format);
        return kExitInputError;
      }
      const FileId id = sources.Add("<stdin>", std::move(read.text));
      const auto formatted = syntax::FormatSource(sources.Get(id), id, diags);
      if (!formatted) {
        PrintDiagnostics(io, diags, sources, format);
        return kExitInputError;
      }
      io.out << *formatted;
      return options->check && *formatted != sources.Get(id).text() ? kExitFindings : kExitOk;
    }
    const std::vector<std::string> files = CollectPolicyFiles(options->paths, diags);
    for (const std::string& path : files) {
      BoundedRead read = ReadBounded(path, syntax::ParseLimits{}.max_source_bytes);
      if (read.status != BoundedRead::Status::kOk) {
        diags.ReportInput(read.status == BoundedRead::Status::kTooLarge ? DiagCode::kFileTooLarge
                                                                        : DiagCode::kCannotReadFile,
                          path, "",
                          read.status == BoundedRead::Status::kTooLarge
                              ? fmt::format("file is {} bytes; the limit is {} bytes", read.size,
                                            syntax::ParseLimits{}.max_source_bytes)
                              : fmt::format("cannot read `{}`", path));
        failed = true;
        continue;
      }
      const FileId id = sources.Add(path, std::move(read.text));
      const auto formatted = syntax::FormatSource(sources.Get(id), id, diags);
      if (!formatted) {
        failed = true;
        continue;
      }
      if (*formatted == sources.Get(id).text()) {
        continue;
      }
      ++changed;
      if (options->check) {
        io.out << path << "\n";
      } else if (!WriteAtomically(path, *formatted)) {
        diags.ReportInput(DiagCode::kCannotReadFile, path, "", fmt::format("cannot write `{}`", path));
        failed = true;
      } else {
        io.out << "formatted " << path << "\n";
      }
    }
    PrintDiagnostics(io, diags, sources, format);
    if (failed || diags.has_errors()) {
      return kExitInputError;
    }
    if (options->check && changed > 0) {
      io.err << fmt::format("{} file{} not in the canonical layout; run `policy fmt` on {}\n", changed,
                            changed == 1 ? " is" : "s are", changed == 1 ? "it" : "them");
      return kExitFindings;
    }
    return kExitOk;
  });
}

}  // namespace policy::cli

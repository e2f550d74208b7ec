#include "compiler/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/ir/lower.h"

namespace policy {

namespace fs = std::filesystem;

namespace {

// The text of each of `files` that can be read and is within the size limit; the others are
// reported.
auto ReadSources(const std::vector<std::string>& files, const syntax::ParseLimits& limits,
                 DiagnosticSink& diags) -> std::vector<std::pair<std::string, std::string>> {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const std::string& f : files) {
    BoundedRead read = ReadBounded(f, limits.max_source_bytes);
    switch (read.status) {
      case BoundedRead::Status::kCannotRead:
        diags.ReportInput(DiagCode::kCannotReadFile, f, "", fmt::format("cannot read `{}`", f));
        break;
      case BoundedRead::Status::kTooLarge:
        diags.ReportInput(
            DiagCode::kFileTooLarge, f, "",
            fmt::format("file is {} bytes; the limit is {} bytes", read.size, limits.max_source_bytes));
        break;
      case BoundedRead::Status::kOk:
        texts.emplace_back(f, std::move(read.text));
        break;
    }
  }
  return texts;
}

// Files are parsed in path order, whatever order they were given in, so that everything that
// follows file order (module and test order, diagnostics, duplicate-module reports) is the same
// for `policy check b a` and `policy check a b`.
void ParseInPathOrder(const std::vector<std::pair<std::string, std::string>>& files,
                      const syntax::ParseLimits& limits, SourceManager& sources, DiagnosticSink& diags,
                      std::vector<ast::Module>& modules) {
  std::vector<const std::pair<std::string, std::string>*> ordered;
  for (const auto& f : files) {
    ordered.push_back(&f);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* f : ordered) {
    const FileId id = sources.Add(f->first, f->second);
    modules.push_back(syntax::Parse(sources.Get(id), id, diags, limits));
  }
}

}  // namespace

auto CollectPolicyFiles(const std::vector<std::string>& paths, DiagnosticSink& diags)
    -> std::vector<std::string> {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    const auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) {
      diags.ReportInput(DiagCode::kCannotReadFile, p, "", fmt::format("no such file or directory: `{}`", p))
          .WithHelp("check the path; policy files end in `.policy`");
      continue;
    }
    if (fs::is_directory(status)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
           !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".policy") {
          found.push_back(it->path().lexically_normal().string());
        }
      }
      if (ec) {
        diags.ReportInput(DiagCode::kCannotReadFile, p, "",
                          fmt::format("cannot read directory `{}`: {}", p, ec.message()));
      }
      if (found.empty() && !ec) {
        // A directory with nothing to check would make check, test and lint pass on nothing.
        diags.ReportInput(DiagCode::kCannotReadFile, p, "", fmt::format("no .policy files under `{}`", p))
            .WithHelp("policy files end in `.policy`; check the directory");
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
      continue;
    }
    files.push_back(fs::path(p).lexically_normal().string());
  }
  // The same file named twice (directly and through its directory) is loaded once.
  std::vector<std::string> unique;
  for (const std::string& f : files) {
    if (std::find(unique.begin(), unique.end(), f) == unique.end()) {
      unique.push_back(f);
    }
  }
  return unique;
}

auto CompileFiles(const std::vector<std::string>& files, const CompileOptions& options,
                  SourceManager& sources, DiagnosticSink& diags) -> std::shared_ptr<ir::Program> {
  return CompileSources(ReadSources(files, options.limits, diags), options, sources, diags);
}

auto ParseFiles(const std::vector<std::string>& files, const CompileOptions& options, SourceManager& sources,
                DiagnosticSink& diags) -> std::vector<ast::Module> {
  std::vector<ast::Module> modules;
  ParseInPathOrder(ReadSources(files, options.limits, diags), options.limits, sources, diags, modules);
  return modules;
}

auto CheckSources(const std::vector<std::pair<std::string, std::string>>& files,
                  const CompileOptions& options, SourceManager& sources, DiagnosticSink& diags)
    -> std::unique_ptr<CheckedSources> {
  std::vector<ast::Module> modules;
  if (options.include_stdlib) {
    for (const auto& [path, text] : StdlibSources()) {
      const FileId id = sources.Add(path, text);
      modules.push_back(syntax::Parse(sources.Get(id), id, diags, options.limits));
    }
  }
  const size_t stdlib_count = modules.size();
  ParseInPathOrder(files, options.limits, sources, diags, modules);
  return CheckModules(std::move(modules), stdlib_count, diags);
}

auto CheckModules(std::vector<ast::Module> modules, size_t stdlib_count, DiagnosticSink& diags)
    -> std::unique_ptr<CheckedSources> {
  auto checked = std::make_unique<CheckedSources>();
  // A file that declares a std.* module replaces the embedded copy, so the stdlib can be edited
  // and tested from its source directory.
  for (size_t i = 0; i < modules.size(); ++i) {
    bool replaced = false;
    for (size_t j = stdlib_count; i < stdlib_count && j < modules.size(); ++j) {
      replaced = replaced || (!modules[i].path.empty() && modules[j].path == modules[i].path);
    }
    if (!replaced) {
      checked->modules.push_back(std::move(modules[i]));
    }
  }
  checked->program = check::Check(checked->modules, diags);
  return checked;
}

auto CompileSources(const std::vector<std::pair<std::string, std::string>>& files,
                    const CompileOptions& options, SourceManager& sources, DiagnosticSink& diags)
    -> std::shared_ptr<ir::Program> {
  std::unique_ptr<CheckedSources> checked = CheckSources(files, options, sources, diags);
  if (diags.has_errors()) {
    return nullptr;
  }
  return ir::Lower(std::move(checked->program), sources);
}

}  // namespace policy

// The options several subcommands share, each defined once: the version flag, the policy paths,
// `--as-of`, `--format` and `--jit`/`--jit-tier`. A subcommand adds the ones it takes and keeps
// its own options (`--decision`, `--budget`, ...) in its own file. One definition means one
// spelling, one meaning and one help text, so `policy eval --help` and `policy lint --help`
// cannot describe the same option differently.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/driver.h"
#include "compiler/diag/diagnostic.h"
#include "core/date.h"
#include "runtime/engine/engine.h"  // JitTier

namespace policy::cli {

// "policy 0.1.0": what `--version` prints, on the command and on every subcommand.
auto VersionText() -> std::string;

// A subcommand of `app` with the version flag every subcommand has.
auto AddSubcommand(CLI::App& app, const std::string& name, const std::string& description) -> CLI::App*;

// The required positional `paths`: policy files, or directories searched for *.policy files.
// `note` is appended to the help (fmt: what `-` means).
void AddPathsOption(CLI::App* sub, std::vector<std::string>& paths, std::string_view note = {});

// `--as-of DATE`, the evaluation date. Without it the date is POLICY_TODAY (DriverEnv::today)
// when set, else today in UTC; a command for which no date means something else (analyze: every
// date) says so in `when_absent`, one sentence that replaces that default in the help, and asks
// `given()` before resolving.
struct AsOfOption {
  std::string text;
  CLI::Option* option = nullptr;
  void AddTo(CLI::App* sub, std::string_view when_absent = {});
  // Whether `--as-of` was on the command line (`--as-of ""` included, which is an error, not
  // today).
  auto given() const -> bool { return option != nullptr && option->count() > 0; }
  // The date; on a malformed date (an empty one included), null and an E0914 diagnostic in
  // `diags`.
  auto Resolve(const DriverEnv& env, DiagnosticSink& diags) const -> std::optional<Date>;
};
// What an absent `--as-of` means: `text`, else POLICY_TODAY, else today in UTC.
auto ResolveAsOf(const std::string& text, const DriverEnv& env, DiagnosticSink& diags) -> std::optional<Date>;

// `--format`: how diagnostics and results are written. Each command accepts the formats that
// make sense for its output (`accepted`, from human, short, json and sarif; `human` is the
// default); `what` names what is formatted ("Diagnostics", "Warnings", "Output").
struct FormatOption {
  std::string text = "human";
  // `accepted` defaults to every format (human, short, json, sarif).
  void AddTo(CLI::App* sub, std::string_view what,
             const std::vector<DiagFormat>& accepted = {DiagFormat::kHuman, DiagFormat::kShort,
                                                        DiagFormat::kJson, DiagFormat::kSarif});
  auto Get() const -> DiagFormat;
};

// The `--jit` and `--jit-tier` options of `eval` and `test`: a one-shot command never waits for
// a background compile, so the tiers offered are `quick` (the default) and `optimized`. `note`
// is appended to the help of `--jit`.
struct JitFlags {
  bool jit = false;
  std::string tier = "quick";
  void AddTo(CLI::App* sub, std::string_view note = {});
  auto Tier() const -> std::optional<JitTier>;
};

// A count option (`--budget`, `--show`): a whole number from 1 to `max`; anything else (a
// negative number, a number past `max` or past 64 bits) is a usage error.
void AddCountOption(CLI::App* sub, const std::string& name, size_t& value, const std::string& help,
                    size_t max);

}  // namespace policy::cli

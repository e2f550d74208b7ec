#include "cli/options.h"

#include <fmt/format.h>

#include <ctime>

namespace policy::cli {
namespace {

// Each output format: its name on the command line, and how `--help` describes it after the name.
struct FormatInfo {
  DiagFormat format;
  const char* name;
  const char* gloss;
};
constexpr FormatInfo kFormats[] = {
    {DiagFormat::kHuman, "human", " (default)"},
    {DiagFormat::kShort, "short", " (one line each)"},
    {DiagFormat::kJson, "json", ""},
    {DiagFormat::kSarif, "sarif", " (SARIF 2.1.0, for code-scanning UIs)"},
};

auto Info(DiagFormat format) -> const FormatInfo& {
  for (const FormatInfo& f : kFormats) {
    if (f.format == format) {
      return f;
    }
  }
  return kFormats[0];
}

}  // namespace

auto VersionText() -> std::string {
  return std::string("policy ") + POLICY_VERSION;
}

auto AddSubcommand(CLI::App& app, const std::string& name, const std::string& description) -> CLI::App* {
  CLI::App* sub = app.add_subcommand(name, description);
  sub->set_version_flag("--version", VersionText());
  return sub;
}

void AddPathsOption(CLI::App* sub, std::vector<std::string>& paths, std::string_view note) {
  sub->add_option("paths", paths, fmt::format("Policy files or directories (searched for *.policy){}", note))
      ->required();
}

void AsOfOption::AddTo(CLI::App* sub, std::string_view when_absent) {
  const std::string_view absent = when_absent.empty()
                                      ? std::string_view("Without it, today in UTC (or POLICY_TODAY if set)")
                                      : when_absent;
  option = sub->add_option("--as-of", text, fmt::format("The evaluation date, YYYY-MM-DD. {}", absent))
               ->type_name("DATE");
}

auto AsOfOption::Resolve(const DriverEnv& env, DiagnosticSink& diags) const -> std::optional<Date> {
  if (given() && text.empty()) {
    diags.ReportInput(DiagCode::kBadArgument, "--as-of", "", "an empty date")
        .WithHelp("write the date as YYYY-MM-DD, e.g. --as-of 2024-09-01, or leave the option out for today");
    return std::nullopt;
  }
  return ResolveAsOf(text, env, diags);
}

auto ResolveAsOf(const std::string& text, const DriverEnv& env, DiagnosticSink& diags)
    -> std::optional<Date> {
  std::string value = text;
  if (value.empty()) {
    value = env.today;
  }
  if (value.empty()) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    return Date::FromCivil(tm.tm_year + 1900, static_cast<uint32_t>(tm.tm_mon + 1),
                           static_cast<uint32_t>(tm.tm_mday));
  }
  if (auto d = Date::Parse(value)) {
    return d;
  }
  diags.ReportInput(DiagCode::kBadArgument, "--as-of", "", fmt::format("`{}` is not a valid date", value))
      .WithHelp("write the date as YYYY-MM-DD, e.g. --as-of 2024-09-01");
  return std::nullopt;
}

void FormatOption::AddTo(CLI::App* sub, std::string_view what, const std::vector<DiagFormat>& accepted) {
  std::vector<std::string> names;
  std::string help = fmt::format("{} as", what);
  for (size_t i = 0; i < accepted.size(); ++i) {
    names.emplace_back(Info(accepted[i]).name);
    const char* sep = i == 0 ? " " : i + 1 == accepted.size() ? " or " : ", ";
    help += fmt::format("{}`{}`{}", sep, names.back(), Info(accepted[i]).gloss);
  }
  sub->add_option("--format", text, help)->check(CLI::IsMember(names));
}

auto FormatOption::Get() const -> DiagFormat {
  for (const FormatInfo& f : kFormats) {
    if (text == f.name) {
      return f.format;
    }
  }
  return DiagFormat::kHuman;
}

void JitFlags::AddTo(CLI::App* sub, std::string_view note) {
  CLI::Option* flag = sub->add_flag(
      "--jit", jit,
      fmt::format("Compile the decisions to machine code (LLVM) first; says on standard error which "
                  "decisions run on the interpreter instead{}",
                  note));
  sub->add_option("--jit-tier", tier,
                  "With --jit: `quick` (default; compiles fast) or `optimized` (compiles about three "
                  "times longer, runs about a third faster)")
      ->check(CLI::IsMember({"quick", "optimized"}))
      ->needs(flag);
}

void AddCountOption(CLI::App* sub, const std::string& name, size_t& value, const std::string& help,
                    size_t max) {
  sub->add_option(name, value, help)->check([max](const std::string& text) -> std::string {
    // Digits only: CLI11 would read "-5" into a size_t as a huge number.
    const bool digits =
        !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoull(text) < 1 || std::stoull(text) > max) {
      return fmt::format("must be a whole number from 1 to {}", max);
    }
    return {};
  });
}

auto JitFlags::Tier() const -> std::optional<JitTier> {
  if (!jit) {
    return std::nullopt;
  }
  return tier == "optimized" ? JitTier::kOptimized : JitTier::kQuick;
}

}  // namespace policy::cli

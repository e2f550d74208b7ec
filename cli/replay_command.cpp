// `policy replay LOG PATHS`: re-evaluates a decision log of `policy serve` on the policies under
// PATHS (server/replay.h). Exit 0 when every decision agrees, 1 when one differs, 2 on bad input.
#include <fmt/format.h>

#include <fstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "policy/policy.hpp"
#include "server/replay.h"

namespace policy::cli {

auto AddReplayCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::string log;
    std::vector<std::string> paths;
    FormatOption format;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(
      app, "replay", "Re-evaluate a decision log of `policy serve` and report every result that differs");
  sub->add_option("log", options->log, "The decision log (policy serve --decision-log)")->required();
  AddPathsOption(sub, options->paths);
  options->format.AddTo(sub, "Output", {DiagFormat::kHuman, DiagFormat::kJson});
  return Runner([options, &io]() {
    std::ifstream in(options->log, std::ios::binary);
    if (!in) {
      io.err << fmt::format("error: cannot read the decision log `{}`\n", options->log);
      return kExitInputError;
    }
    auto set = api::PolicySet::Load(options->paths);
    if (!set) {
      for (const api::Diagnostic& d : set.error().diagnostics) {
        io.err << d.rendered;
      }
      io.err << "error: " << set.error().message << "\n";
      return kExitInputError;
    }
    server::ReplayReport report;
    server::Replay(in, *set, &report);
    const std::string revision = set->revision();
    if (options->format.Get() == DiagFormat::kJson) {
      nlohmann::ordered_json j;
      j["log"] = options->log;
      j["revision"] = revision;
      j["logged_revisions"] = report.revisions;
      j["lines"] = report.lines;
      j["replayed"] = report.replayed;
      j["agreed"] = report.agreed;
      j["skipped_hash_only"] = report.skipped_hash_only;
      nlohmann::ordered_json differences = nlohmann::ordered_json::array();
      for (const auto& d : report.differences) {
        differences.push_back({{"line", d.line},
                               {"decision", d.decision},
                               {"as_of", d.as_of},
                               {"logged", nlohmann::ordered_json::parse(d.logged, nullptr, false)},
                               {"now", nlohmann::ordered_json::parse(d.now, nullptr, false)}});
      }
      j["differences"] = std::move(differences);
      nlohmann::ordered_json malformed = nlohmann::ordered_json::array();
      for (const auto& m : report.malformed) {
        malformed.push_back({{"line", m.line}, {"problem", m.problem}});
      }
      j["malformed"] = std::move(malformed);
      io.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      for (const auto& [logged_by, n] : report.revisions) {
        if (logged_by != revision) {
          io.out << fmt::format("note: {} line{} logged by revision {}; replaying on revision {}\n", n,
                                n == 1 ? " was" : "s were", logged_by.empty() ? "(none)" : logged_by,
                                revision);
        }
      }
      for (const auto& d : report.differences) {
        io.out << fmt::format("{}:{}: {} as of {} decides differently\n  logged: {}\n  now:    {}\n",
                              options->log, d.line, d.decision, d.as_of, d.logged, d.now);
      }
      constexpr size_t kShown = 10;  // a log of another format would otherwise flood the terminal
      for (size_t i = 0; i < report.malformed.size() && i < kShown; ++i) {
        io.err << fmt::format("error: {}:{}: {}\n", options->log, report.malformed[i].line,
                              report.malformed[i].problem);
      }
      if (report.malformed.size() > kShown) {
        io.err << fmt::format("error: ... and {} more lines that are not decision log lines\n",
                              report.malformed.size() - kShown);
      }
      io.out << fmt::format(
          "replayed {} decision{} on revision {}: {} agree, {} differ{}\n", report.replayed,
          report.replayed == 1 ? "" : "s", revision, report.agreed, report.differences.size(),
          report.skipped_hash_only > 0
              ? fmt::format(" ({} logged without their input, not replayed)", report.skipped_hash_only)
              : "");
    }
    if (!report.malformed.empty()) {
      return kExitInputError;
    }
    return report.differences.empty() ? kExitOk : kExitFindings;
  });
}

}  // namespace policy::cli

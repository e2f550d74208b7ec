#include "cli/population_diff.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/exit_codes.h"
#include "runtime/batch/batch.h"
#include "runtime/engine/exact_json.h"

namespace policy::cli {
namespace {

// One side's result for one decision on one case, as the key of a change: the value's JSON,
// "not applicable", or the error's code.
auto OutcomeKey(const batch::DecisionOutcome& o) -> std::string {
  if (o.error) {
    return "error " + o.error->code;
  }
  return o.applicable ? std::string(o.value) : std::string("not applicable");
}

// The same as JSON: {"applicable": ..., "value": ...} or {"error": CODE}.
auto OutcomeJson(const std::string& key) -> nlohmann::ordered_json {
  nlohmann::ordered_json j;
  if (key.starts_with("error ")) {
    j["error"] = key.substr(6);
  } else if (key == "not applicable") {
    j["applicable"] = false;
    j["value"] = nullptr;
  } else {
    j["applicable"] = true;
    j["value"] = exact_json::Parse<nlohmann::ordered_json>(key);
  }
  return j;
}

struct Change {
  uint64_t count = 0;
  std::vector<uint64_t> lines;  // the first `show`
};

struct PerDecision {
  std::string name;
  uint64_t compared = 0;  // cases both versions read
  uint64_t changed = 0;
  std::map<std::pair<std::string, std::string>, Change> changes;  // (old, new) -> cases
};

}  // namespace

auto RunPopulationDiff(Io& io, const Engine& old_set, const Engine& new_set,
                       const PopulationDiffOptions& options) -> int {
  // The decisions: those named, or every decision of a case record both versions have.
  std::vector<std::string> names = options.decisions;
  if (names.empty()) {
    for (const std::string& name : new_set.DecisionNames()) {
      const auto in_old = old_set.FindDecision(name);
      const auto in_new = new_set.FindDecision(name);
      if (!in_old || !in_new) {
        continue;
      }
      const ir::Decision& d = new_set.program().ir().decisions[*in_new];
      if (d.params.size() == 1 && new_set.program().ir().types.kind(d.params[0]) == Kind::kRecord) {
        names.push_back(name);
      }
    }
  }
  batch::BatchOptions batch_options;
  batch_options.compare = &new_set;
  for (const std::string& name : names) {
    const auto in_old = old_set.FindDecision(name);
    const auto in_new = new_set.FindDecision(name);
    if (!in_old || !in_new) {
      io.err << fmt::format("error[E0906]: decision `{}` is not in the {} policies\n", name,
                            !in_old ? "old" : "new");
      return kExitInputError;
    }
    batch_options.decisions.push_back(*in_old);
    batch_options.compare_decisions.push_back(*in_new);
  }
  if (names.empty()) {
    io.err << "error: the two versions have no decision of a case record in common\n";
    return kExitInputError;
  }
  batch_options.as_of = options.as_of;
  batch_options.threads =
      options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const bool csv =
      options.input_format.empty() ? options.cases.ends_with(".csv") : options.input_format == "csv";
  batch_options.format = csv ? batch::InputFormat::kCsv : batch::InputFormat::kJsonLines;

  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.cases != "-") {
    file.open(options.cases, std::ios::binary);
    if (!file) {
      io.err << fmt::format("error[E0100]: cannot read the cases file `{}`\n", options.cases);
      return kExitInputError;
    }
    in = &file;
  }

  std::vector<PerDecision> per(names.size());
  for (size_t d = 0; d < names.size(); ++d) {
    per[d].name = names[d];
  }
  uint64_t rows = 0;
  std::map<std::string, uint64_t> unreadable_old;  // code -> cases only the old version could not read...
  std::map<std::string, uint64_t> unreadable_new;
  uint64_t unreadable_both = 0;
  auto sink = [&](const batch::RowResult& r) {
    ++rows;
    if (r.error || r.compare_error) {
      if (r.error && r.compare_error) {
        ++unreadable_both;
      } else if (r.error) {
        ++unreadable_old[r.error->code];
      } else {
        ++unreadable_new[r.compare_error->code];
      }
      return;
    }
    for (size_t d = 0; d < per.size(); ++d) {
      PerDecision& p = per[d];
      ++p.compared;
      const batch::DecisionOutcome& before = r.outcomes[d];
      const batch::DecisionOutcome& after = r.compare_outcomes[d];
      const bool same = !before.error && !after.error && before.applicable == after.applicable &&
                        before.value == after.value;
      const bool same_error = before.error && after.error && before.error->code == after.error->code;
      if (same || same_error) {
        continue;
      }
      ++p.changed;
      Change& change = p.changes[{OutcomeKey(before), OutcomeKey(after)}];
      ++change.count;
      if (change.lines.size() < options.show) {
        change.lines.push_back(r.line);
      }
    }
  };
  std::string error;
  if (!batch::Run(old_set, batch_options, *in, sink, nullptr, &error)) {
    io.err << fmt::format("error: {}\n", error);
    return kExitInputError;
  }

  // Changes by how many cases they move, most first.
  auto sorted_changes = [](const PerDecision& p) {
    std::vector<std::pair<const std::pair<std::string, std::string>*, const Change*>> out;
    for (const auto& [key, change] : p.changes) {
      out.emplace_back(&key, &change);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
    return out;
  };
  bool findings = !unreadable_old.empty() || !unreadable_new.empty();
  for (const PerDecision& p : per) {
    findings = findings || p.changed != 0;
  }
  if (options.format == DiagFormat::kJson) {
    nlohmann::ordered_json j;
    j["as_of"] = options.as_of.ToString();
    j["cases"] = rows;
    nlohmann::ordered_json decisions = nlohmann::ordered_json::array();
    for (const PerDecision& p : per) {
      nlohmann::ordered_json d;
      d["decision"] = p.name;
      d["compared"] = p.compared;
      d["changed"] = p.changed;
      nlohmann::ordered_json changes = nlohmann::ordered_json::array();
      for (const auto& [key, change] : sorted_changes(p)) {
        nlohmann::ordered_json c;
        c["old"] = OutcomeJson(key->first);
        c["new"] = OutcomeJson(key->second);
        c["cases"] = change->count;
        c["lines"] = change->lines;
        changes.push_back(std::move(c));
      }
      d["changes"] = std::move(changes);
      decisions.push_back(std::move(d));
    }
    j["decisions"] = std::move(decisions);
    j["unreadable"] = {{"old_only", unreadable_old}, {"new_only", unreadable_new}, {"both", unreadable_both}};
    io.out << exact_json::Dump(j, 2) << "\n";
    return findings ? kExitFindings : kExitOk;
  }
  io.out << fmt::format("{} case{} as of {}\n", rows, rows == 1 ? "" : "s", options.as_of.ToString());
  for (const PerDecision& p : per) {
    if (p.changed == 0) {
      io.out << fmt::format("{}: no case decides differently ({} compared)\n", p.name, p.compared);
      continue;
    }
    io.out << fmt::format("{}: {} of {} case{} DECIDE DIFFERENTLY\n", p.name, p.changed, p.compared,
                          p.compared == 1 ? "" : "s");
    for (const auto& [key, change] : sorted_changes(p)) {
      std::vector<std::string> lines;
      for (const uint64_t line : change->lines) {
        lines.push_back(std::to_string(line));
      }
      io.out << fmt::format("  {} -> {}: {} case{} (line{} {}{})\n", key->first, key->second, change->count,
                            change->count == 1 ? "" : "s", change->lines.size() == 1 ? "" : "s",
                            fmt::join(lines, ", "), change->count > change->lines.size() ? ", ..." : "");
    }
  }
  auto codes = [](const std::map<std::string, uint64_t>& m) {
    std::vector<std::string> parts;
    for (const auto& [code, count] : m) {
      parts.push_back(fmt::format("{} {}", code, count));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
  };
  if (!unreadable_old.empty()) {
    io.out << fmt::format("cases only the old version cannot read: {}\n", codes(unreadable_old));
  }
  if (!unreadable_new.empty()) {
    io.out << fmt::format("cases only the new version cannot read: {}\n", codes(unreadable_new));
  }
  if (unreadable_both != 0) {
    io.out << fmt::format("cases neither version can read: {}\n", unreadable_both);
  }
  return findings ? kExitFindings : kExitOk;
}

}  // namespace policy::cli

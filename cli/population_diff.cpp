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

auto PopulationDiff::any_change() const -> bool {
  if (!unreadable_old.empty() || !unreadable_new.empty()) {
    return true;
  }
  for (const PopulationDecision& d : decisions) {
    if (d.changed != 0) {
      return true;
    }
  }
  return false;
}

auto ComputePopulationDiff(const Engine& old_set, const Engine& new_set, const PopulationDiffOptions& options,
                           std::string* error) -> std::optional<PopulationDiff> {
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
      *error =
          fmt::format("error[E0906]: decision `{}` is not in the {} policies", name, !in_old ? "old" : "new");
      return std::nullopt;
    }
    batch_options.decisions.push_back(*in_old);
    batch_options.compare_decisions.push_back(*in_new);
  }
  if (names.empty()) {
    *error = "error: the two versions have no decision of a case record in common";
    return std::nullopt;
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
      *error = fmt::format("error[E0100]: cannot read the cases file `{}`", options.cases);
      return std::nullopt;
    }
    in = &file;
  }

  std::vector<PerDecision> per(names.size());
  for (size_t d = 0; d < names.size(); ++d) {
    per[d].name = names[d];
  }
  PopulationDiff out;
  out.as_of = options.as_of;
  auto sink = [&](const batch::RowResult& r) {
    ++out.cases;
    if (r.error || r.compare_error) {
      if (r.error && r.compare_error) {
        ++out.unreadable_both;
      } else if (r.error) {
        ++out.unreadable_old[r.error->code];
      } else {
        ++out.unreadable_new[r.compare_error->code];
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
  if (!batch::Run(old_set, batch_options, *in, sink, nullptr, error)) {
    *error = fmt::format("error: {}", *error);
    return std::nullopt;
  }
  for (const PerDecision& p : per) {
    PopulationDecision d;
    d.name = p.name;
    d.compared = p.compared;
    d.changed = p.changed;
    for (const auto& [key, change] : p.changes) {
      d.changes.push_back({key.first, key.second, change.count, change.lines});
    }
    // Changes by how many cases they move, most first.
    std::stable_sort(d.changes.begin(), d.changes.end(),
                     [](const PopulationChange& a, const PopulationChange& b) { return a.cases > b.cases; });
    out.decisions.push_back(std::move(d));
  }
  return out;
}

auto PopulationDiffJson(const PopulationDiff& diff) -> nlohmann::ordered_json {
  nlohmann::ordered_json j;
  j["as_of"] = diff.as_of.ToString();
  j["cases"] = diff.cases;
  nlohmann::ordered_json decisions = nlohmann::ordered_json::array();
  for (const PopulationDecision& p : diff.decisions) {
    nlohmann::ordered_json d;
    d["decision"] = p.name;
    d["compared"] = p.compared;
    d["changed"] = p.changed;
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const PopulationChange& change : p.changes) {
      nlohmann::ordered_json c;
      c["old"] = OutcomeJson(change.before);
      c["new"] = OutcomeJson(change.after);
      c["cases"] = change.cases;
      c["lines"] = change.lines;
      changes.push_back(std::move(c));
    }
    d["changes"] = std::move(changes);
    decisions.push_back(std::move(d));
  }
  j["decisions"] = std::move(decisions);
  j["unreadable"] = {
      {"old_only", diff.unreadable_old}, {"new_only", diff.unreadable_new}, {"both", diff.unreadable_both}};
  return j;
}

auto PopulationDiffText(const PopulationDiff& diff) -> std::string {
  std::string out;
  const uint64_t rows = diff.cases;
  out += fmt::format("{} case{} as of {}\n", rows, rows == 1 ? "" : "s", diff.as_of.ToString());
  for (const PopulationDecision& p : diff.decisions) {
    if (p.changed == 0) {
      out += fmt::format("{}: no case decides differently ({} compared)\n", p.name, p.compared);
      continue;
    }
    out += fmt::format("{}: {} of {} case{} DECIDE DIFFERENTLY\n", p.name, p.changed, p.compared,
                       p.compared == 1 ? "" : "s");
    for (const PopulationChange& change : p.changes) {
      std::vector<std::string> lines;
      for (const uint64_t line : change.lines) {
        lines.push_back(std::to_string(line));
      }
      out += fmt::format("  {} -> {}: {} case{} (line{} {}{})\n", change.before, change.after, change.cases,
                         change.cases == 1 ? "" : "s", change.lines.size() == 1 ? "" : "s",
                         fmt::join(lines, ", "), change.cases > change.lines.size() ? ", ..." : "");
    }
  }
  auto codes = [](const std::map<std::string, uint64_t>& m) {
    std::vector<std::string> parts;
    for (const auto& [code, count] : m) {
      parts.push_back(fmt::format("{} {}", code, count));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
  };
  if (!diff.unreadable_old.empty()) {
    out += fmt::format("cases only the old version cannot read: {}\n", codes(diff.unreadable_old));
  }
  if (!diff.unreadable_new.empty()) {
    out += fmt::format("cases only the new version cannot read: {}\n", codes(diff.unreadable_new));
  }
  if (diff.unreadable_both != 0) {
    out += fmt::format("cases neither version can read: {}\n", diff.unreadable_both);
  }
  return out;
}

auto RunPopulationDiff(Io& io, const Engine& old_set, const Engine& new_set,
                       const PopulationDiffOptions& options) -> int {
  std::string error;
  const auto diff = ComputePopulationDiff(old_set, new_set, options, &error);
  if (!diff) {
    io.err << error << "\n";
    return kExitInputError;
  }
  if (options.format == DiagFormat::kJson) {
    io.out << exact_json::Dump(PopulationDiffJson(*diff), 2) << "\n";
  } else {
    io.out << PopulationDiffText(*diff);
  }
  return diff->any_change() ? kExitFindings : kExitOk;
}

}  // namespace policy::cli

// `policy eval --what-if` and `--partial`: the answers of runtime/analysis/whatif.h and partial.h as
// text or one JSON document.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/render_findings.h"
#include "runtime/engine/exact_json.h"

namespace policy::cli {
namespace {

auto Plural(size_t n, const char* one, const char* many) -> std::string {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "rule `relaxation_2014` [ImmD FAQ Q20]", or "the default" when no rule gave the value.
auto Because(const ir::Decision& d, const std::vector<uint32_t>& rules) -> std::string {
  if (rules.empty()) {
    return "the default";
  }
  std::string out;
  for (size_t i = 0; i < rules.size(); ++i) {
    const ir::Rule& r = d.rules[rules[i]];
    out += fmt::format("{}{} `{}`", i == 0 ? "" : " and ", r.is_exception ? "exception" : "rule", r.name);
    if (!r.source.empty()) {
      out += fmt::format(" [{}]", r.source);
    }
  }
  return out;
}

}  // namespace

void RenderWhatIf(Io& io, const Engine& engine, uint32_t decision, const WhatIfResult& r,
                  const WhatIfOptions& options, DiagFormat format) {
  const ir::Decision& d = engine.program().ir().decisions[decision];
  using Verdict = WhatIfResult::Verdict;
  if (format == DiagFormat::kJson) {
    nlohmann::ordered_json j;
    j["decision"] = d.name;
    j["as_of"] = options.as_of.ToString();
    j["applicable"] = r.applicable;
    j["value"] =
        r.applicable ? exact_json::Parse<nlohmann::ordered_json>(r.value_json) : nlohmann::ordered_json();
    j["want"] = r.want;
    j["held"] = r.held;
    j["max_changes"] = options.max_changes;
    j["verdict"] = WhatIfVerdictName(r.verdict);
    nlohmann::ordered_json answers = nlohmann::ordered_json::array();
    for (const WhatIfAnswer& a : r.answers) {
      nlohmann::ordered_json one;
      nlohmann::ordered_json changes = nlohmann::ordered_json::array();
      for (const auto& c : a.changes) {
        changes.push_back({{"path", c.path},
                           {"from", exact_json::Parse<nlohmann::ordered_json>(c.before)},
                           {"to", exact_json::Parse<nlohmann::ordered_json>(c.after)}});
      }
      one["changes"] = changes;
      one["value"] = exact_json::Parse<nlohmann::ordered_json>(a.value_json);
      nlohmann::ordered_json rules = nlohmann::ordered_json::array();
      for (const uint32_t i : a.deciding_rules) {
        rules.push_back({{"rule", d.rules[i].name}, {"source", d.rules[i].source}});
      }
      one["because"] = rules;
      one["case"] = exact_json::Parse<nlohmann::ordered_json>(a.case_json);
      answers.push_back(std::move(one));
    }
    j["answers"] = answers;
    j["unconfirmed_models"] = r.rejected;
    j["approximations"] = r.approximations;
    io.out << exact_json::Dump(j, 2) << "\n";
    return;
  }
  const std::string now = r.applicable ? r.value_json : "not applicable";
  io.out << fmt::format("{} = {} (as of {})\n", d.name, now, options.as_of.ToString());
  if (!r.held.empty()) {
    io.out << fmt::format("held: {}\n", fmt::join(r.held, ", "));
  }
  switch (r.verdict) {
    case Verdict::kAlready:
      io.out << fmt::format("it is already {}: nothing to change\n", r.want);
      return;
    case Verdict::kImpossible:
      io.out << fmt::format(
          "no change gives {}: proven (Z3: no case with the held fields as they are gives it on "
          "{})\n",
          r.want, options.as_of.ToString());
      return;
    case Verdict::kNoneWithin:
      io.out << fmt::format(
          "no change of at most {} gives {}: proven; more fields would have to change (raise "
          "--max-changes)\n",
          Plural(options.max_changes, "field", "fields"), r.want);
      return;
    case Verdict::kUnknown:
      io.out << fmt::format("not settled: no change giving {} was found and none was proven impossible",
                            r.want);
      if (r.rejected > 0) {
        io.out << fmt::format(" ({} that the interpreter did not confirm)",
                              Plural(r.rejected, "candidate", "candidates"));
      }
      io.out << "\n";
      if (!r.approximations.empty()) {
        io.out << fmt::format("the encoding of the decision approximates {}\n",
                              fmt::join(r.approximations, ", "));
      }
      return;
    case Verdict::kFound:
      break;
  }
  io.out << fmt::format("what would make it {}:\n", r.want);
  for (size_t i = 0; i < r.answers.size(); ++i) {
    const WhatIfAnswer& a = r.answers[i];
    io.out << fmt::format(
        "  {}. change {}:\n", i + 1,
        a.changes.size() == 1 ? std::string("one field") : Plural(a.changes.size(), "field", "fields"));
    for (const auto& c : a.changes) {
      io.out << fmt::format("       {}: {} -> {}\n", c.path, c.before, c.after);
    }
    io.out << fmt::format("     then {}, because {} applies\n", a.value_json, Because(d, a.deciding_rules));
  }
  io.out << "(each confirmed by the interpreter; --format json gives the changed cases)\n";
}

auto NearestChangeNotes(const Engine& engine, uint32_t decision, const std::vector<RuleChange>& changes,
                        const WhatIfOptions& options) -> Engine::RuleNotes {
  using Verdict = WhatIfResult::Verdict;
  const ir::Decision& d = engine.program().ir().decisions[decision];
  Engine::RuleNotes notes;
  for (const RuleChange& c : changes) {
    Engine::RuleNote note;
    note.json["verdict"] = WhatIfVerdictName(c.verdict);
    switch (c.verdict) {
      case Verdict::kFound: {
        std::vector<std::string> parts;
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const WhatIfAnswer::Change& change : c.answer->changes) {
          parts.push_back(fmt::format("{}: {} -> {}", change.path, change.before, change.after));
          list.push_back({{"path", change.path},
                          {"from", exact_json::Parse<nlohmann::ordered_json>(change.before)},
                          {"to", exact_json::Parse<nlohmann::ordered_json>(change.after)}});
        }
        note.json["changes"] = std::move(list);
        note.json["then"] = exact_json::Parse<nlohmann::ordered_json>(c.answer->value_json);
        note.text = fmt::format("nearest change: {}; then {} = {}, because {}", fmt::join(parts, ", "),
                                d.name, c.answer->value_json, Because(d, c.answer->deciding_rules));
        break;
      }
      case Verdict::kImpossible:
        note.text = "no change to the fields that may change makes it apply (proven)";
        break;
      case Verdict::kNoneWithin:
        note.text = fmt::format("no change of at most {} makes it apply (proven)",
                                Plural(options.max_changes, "field", "fields"));
        break;
      case Verdict::kAlready:
      case Verdict::kUnknown:
        note.text = "nearest change: not found (Z3 gave up, or its answers were not confirmed)";
        break;
    }
    notes.emplace(c.rule, std::move(note));
  }
  return notes;
}

void RenderPartial(Io& io, const Engine& engine, uint32_t decision, const PartialResult& r, Date as_of,
                   DiagFormat format) {
  const ir::Decision& d = engine.program().ir().decisions[decision];
  if (format == DiagFormat::kJson) {
    io.out << exact_json::Dump(PartialResultJson(engine, decision, r, as_of), 2) << "\n";
    return;
  }
  const auto shown = [](const std::string& v) { return v.empty() ? std::string("not applicable") : v; };
  switch (r.verdict) {
    case PartialResult::Verdict::kDecided:
      io.out << fmt::format("{} = {} (as of {})\n", d.name, shown(r.value_json), as_of.ToString());
      if (!r.missing.empty()) {
        io.out << fmt::format(
            "decided whatever values the {} missing {} take (proven by Z3; --format json lists "
            "them)\n",
            r.missing.size(), r.missing.size() == 1 ? "field" : "fields");
      }
      return;
    case PartialResult::Verdict::kUndecided:
      io.out << fmt::format("{}: not decided yet (as of {})\n", d.name, as_of.ToString());
      io.out << fmt::format("{} missing; the decision still depends on these, next question first:\n",
                            Plural(r.missing.size(), "field", "fields"));
      for (const std::string& q : r.questions) {
        io.out << fmt::format("  {}\n", q);
      }
      io.out << fmt::format("(it can still be {} or {}: --format json gives a completed case for each)\n",
                            shown(r.value_json), shown(r.other_value_json));
      return;
    case PartialResult::Verdict::kUnknown:
      io.out << fmt::format(
          "{}: not settled (as of {}): no completion deciding differently was confirmed and none "
          "was proven impossible\n",
          d.name, as_of.ToString());
      io.out << fmt::format("{} missing (--format json lists them)\n",
                            Plural(r.missing.size(), "field", "fields"));
      return;
  }
}

}  // namespace policy::cli

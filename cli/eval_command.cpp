// `policy eval --decision NAME --input CASE.json [--as-of DATE] [--explain] PATHS`, and with
// `--what-if [--want V] [--fix F,...]` the smallest changes to the case that give another value.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/render_findings.h"
#include "runtime/engine/exact_json.h"

namespace policy::cli {

namespace {

// `policy eval -d PARAMETER`: the parameter's value on the date and the citation of that value.
// A parameter takes no case, so --input and the searches over a case do not apply to it.
auto EvaluateParameterCommand(Io& io, const Engine& engine, uint32_t parameter, Date as_of, bool explain,
                              bool has_input, bool search, DiagFormat format, DiagnosticSink& diags) -> int {
  const ir::Decision& d = engine.program().ir().decisions[parameter];
  if (has_input || search) {
    diags
        .ReportInput(DiagCode::kBadArgument, has_input ? "--input" : "--what-if", "",
                     fmt::format("`{}` is a parameter: it takes no case, so {} does not apply", d.name,
                                 has_input ? "--input" : "--what-if, --partial and --nearest-changes"))
        .WithHelp(fmt::format("`policy eval -d {} --as-of DATE` prints its value on that date", d.name));
    PrintDiagnostics(io, diags, engine.sources(), format);
    return kExitInputError;
  }
  auto ctx = engine.NewContext();
  vm::Trace trace;
  std::string source;
  const auto result =
      engine.EvaluateParameter(parameter, as_of, *ctx, explain ? &trace : nullptr, diags, &source);
  if (!result) {
    PrintDiagnostics(io, diags, engine.sources(), format);
    return kExitEvalError;
  }
  if (format == DiagFormat::kJson) {
    nlohmann::ordered_json j;
    j["decision"] = d.name;
    j["as_of"] = as_of.ToString();
    j["applicable"] = result->applicable;
    j["value"] = engine.ValueToJson(d.result, result->value);
    j["source"] =
        source.empty() || !result->applicable ? nlohmann::ordered_json() : nlohmann::ordered_json(source);
    if (explain) {
      j["explanation"] = engine.ExplanationJson(trace);
    }
    io.out << exact_json::Dump(j, 2) << "\n";
  } else if (explain) {
    io.out << fmt::format("as of {}\n", as_of.ToString()) << engine.ExplanationText(trace);
  } else if (result->applicable) {
    io.out << fmt::format("{} = {}{}\n", d.name,
                          FormatValue(engine.program().ir().types, d.result, result->value),
                          source.empty() ? "" : fmt::format(" [{}]", source));
  } else {
    io.out << fmt::format("{} = not applicable (no value on {}; it has values {})\n", d.name,
                          as_of.ToString(), vm::EffectiveSummary(d));
  }
  return kExitOk;
}

}  // namespace

auto AddEvalCommand(CLI::App& app, Io& io) -> Runner {
  struct Options {
    std::vector<std::string> paths;
    std::string decision;
    std::string input;
    AsOfOption as_of;
    FormatOption format;
    JitFlags jit;
    bool explain = false;
    bool what_if = false;
    bool partial = false;
    bool nearest = false;
    std::string want;
    std::vector<std::string> fix;
    size_t max_changes = 3;
    size_t max_answers = 3;
    unsigned timeout_ms = 10000;
  };
  auto options = std::make_shared<Options>();
  CLI::App* sub = AddSubcommand(app, "eval", "Evaluate one decision on a case record (JSON)");
  AddPathsOption(sub, options->paths);
  sub->add_option("--decision,-d", options->decision,
                  "Qualified decision name, e.g. hk.employment.part_time_on_campus_allowed")
      ->required();
  sub->add_option("--input,-i", options->input,
                  "Case record as JSON (a file, or - for standard input); required except for a parameter, "
                  "which takes no case");
  options->as_of.AddTo(sub);
  CLI::Option* explain = sub->add_flag("--explain", options->explain,
                                       "Show which rules applied, which did not and why, with their sources");
  sub->add_flag("--nearest-changes", options->nearest,
                "With --explain: for each rule whose condition fails, the nearest change to the case that "
                "would make it apply (Z3, each confirmed by the interpreter; --fix, --max-changes and "
                "--timeout as for --what-if)")
      ->needs(explain);
  CLI::Option* what_if =
      sub->add_flag("--what-if", options->what_if,
                    "Instead of the value, the smallest changes to the case that give another one (Z3; each "
                    "confirmed by the interpreter): for a Bool decision the opposite value, else see --want");
  what_if->excludes("--explain");
  sub->add_flag(
      "--partial", options->partial,
      "For a case with fields still unknown (absent from the JSON): the value if it is decided "
      "whatever they are (proven), else the missing fields it still depends on, next question first "
      "(not with --what-if or --explain)");
  sub->add_option("--want", options->want,
                  "With --what-if: the value wanted, as the decision's JSON writes it (true, 20, 2025-09-01, "
                  "an enum value)")
      ->needs(what_if);
  // --fix, --max-changes and --timeout serve --what-if and --nearest-changes alike: checked in
  // the runner, since CLI11's `needs` cannot say "one of".
  CLI::Option* fix =
      sub->add_option("--fix", options->fix,
                      "With --what-if or --nearest-changes: fields that may not change, as JSON "
                      "paths (applicant.date_of_birth); comma-separated or repeated. Fields the "
                      "record declares `fixed` are always held")
          ->delimiter(',')
          ->type_name("FIELD");
  CLI::Option* max_changes =
      sub->add_option(
             "--max-changes", options->max_changes,
             "With --what-if or --nearest-changes: the most fields one answer may change (default 3)")
          ->check(CLI::Range(1, 20));
  sub->add_option("--max-answers", options->max_answers,
                  "With --what-if: how many minimal sets of changes to list (default 3)")
      ->check(CLI::Range(1, 50))
      ->needs(what_if);
  CLI::Option* timeout =
      sub->add_option("--timeout", options->timeout_ms,
                      "With --what-if or --nearest-changes: Z3 time limit per question, in milliseconds "
                      "(default 10000)")
          ->check(CLI::Range(1, 600000));
  options->jit.AddTo(sub, " (--explain always uses the interpreter)");
  options->format.AddTo(sub, "Output", {DiagFormat::kHuman, DiagFormat::kJson});
  return Runner([options, &io, fix, max_changes, timeout]() {
    const DiagFormat format = options->format.Get();
    const std::shared_ptr<const Engine> loaded =
        LoadOrReport(io, options->paths, format, options->jit.Tier());
    if (!loaded) {
      return kExitInputError;
    }
    const Engine& engine = *loaded;
    DiagnosticSink diags;
    const auto as_of = options->as_of.Resolve(io.env, diags);
    const auto decision = engine.ResolveDecision(options->decision, diags);
    if (decision && as_of && !diags.has_errors() && engine.program().ir().decisions[*decision].is_parameter) {
      const bool search = options->what_if || options->partial || options->nearest;
      return EvaluateParameterCommand(io, engine, *decision, *as_of, options->explain,
                                      !options->input.empty(), search, format, diags);
    }
    if (options->input.empty()) {
      diags
          .ReportInput(DiagCode::kBadArgument, "--input", "",
                       "--input is required: the case record (JSON) to evaluate the decision on")
          .WithHelp(
              "only a parameter is evaluated without a case: `policy eval -d MODULE.PARAMETER --as-of DATE`");
    }
    const InputLimits limits;
    BoundedRead read = options->input.empty() ? BoundedRead{} : ReadBounded(options->input, limits.max_bytes);
    const std::string input_name = options->input == "-" ? "<stdin>" : options->input;
    if (options->input.empty()) {
      // reported above
    } else if (read.status == BoundedRead::Status::kCannotRead) {
      diags.ReportInput(DiagCode::kCannotReadFile, options->input, "",
                        fmt::format("cannot read case file `{}`", options->input));
    } else if (read.status == BoundedRead::Status::kTooLarge) {
      diags.ReportInput(
          DiagCode::kInputTooLarge, input_name, "",
          read.size > limits.max_bytes + 1
              ? fmt::format("the case is {} bytes; the limit is {} bytes", read.size, limits.max_bytes)
              : fmt::format("the case is more than {} bytes", limits.max_bytes));
    }
    const bool have_input = read.status == BoundedRead::Status::kOk;
    const std::string text = std::move(read.text);
    if (diags.has_errors() || !decision || !as_of || !have_input) {
      PrintDiagnostics(io, diags, engine.sources(), format);
      return kExitInputError;
    }
    for (const CLI::Option* search_option : {fix, max_changes, timeout}) {
      if (search_option->count() > 0 && !options->what_if && !options->nearest) {
        diags.ReportInput(
            DiagCode::kBadArgument, search_option->get_name(), "",
            fmt::format("{} applies to --what-if and --nearest-changes only", search_option->get_name()));
        PrintDiagnostics(io, diags, engine.sources(), format);
        return kExitInputError;
      }
    }
    // What --what-if and --nearest-changes share: the date, the held fields and the bounds.
    const auto search_options = [&] {
      WhatIfOptions w;
      w.as_of = *as_of;
      w.held = options->fix;
      w.max_changes = options->max_changes;
      w.timeout_ms = options->timeout_ms;
      return w;
    };
    // Checked here rather than with CLI11's `excludes`, whose help text lists several excluded
    // options in an order that changes from run to run.
    if (options->partial && (options->what_if || options->explain)) {
      diags.ReportInput(DiagCode::kBadArgument, "--partial", "",
                        "--partial cannot be combined with --what-if or --explain");
      PrintDiagnostics(io, diags, engine.sources(), format);
      return kExitInputError;
    }
    if (options->partial) {
      PartialOptions p;
      p.as_of = *as_of;
      const auto result = EvaluatePartial(engine, *decision, text, p, diags);
      if (!result) {
        PrintDiagnostics(io, diags, engine.sources(), format);
        return kExitInputError;
      }
      RenderPartial(io, engine, *decision, *result, *as_of, format);
      return kExitOk;
    }
    if (options->what_if) {
      WhatIfOptions w = search_options();
      if (!options->want.empty()) {
        w.want = options->want;
      }
      w.max_answers = options->max_answers;
      const auto result = WhatIf(engine, *decision, text, w, diags);
      if (!result) {
        PrintDiagnostics(io, diags, engine.sources(), format);
        return kExitInputError;
      }
      RenderWhatIf(io, engine, *decision, *result, w, format);
      return kExitOk;
    }
    auto ctx = engine.NewContext();
    const auto input = engine.ReadCase(*decision, text, input_name, *ctx, diags, limits);
    if (!input) {
      PrintDiagnostics(io, diags, engine.sources(), format);
      return kExitInputError;
    }
    vm::Trace trace;
    const auto result =
        engine.Evaluate(*decision, *input, *as_of, *ctx, options->explain ? &trace : nullptr, diags);
    if (!result) {
      if (!options->explain) {
        PrintDiagnostics(io, diags, engine.sources(), format);
      } else if (format == DiagFormat::kJson) {
        // One document: the error and the explanation of what led to it.
        nlohmann::ordered_json j;
        j["decision"] = options->decision;
        j["as_of"] = as_of->ToString();
        j["errors"] = nlohmann::ordered_json::parse(
            RenderDiagnostics(diags.diagnostics(), engine.sources(), DiagFormat::kJson));
        j["explanation"] = engine.ExplanationJson(trace);
        io.out << exact_json::Dump(j, 2) << "\n";
      } else {
        // The error on stderr as always; what led to it on stdout, as a successful --explain.
        PrintDiagnostics(io, diags, engine.sources(), format);
        io.out << fmt::format("as of {}\n", as_of->ToString()) << engine.ExplanationText(trace);
      }
      return kExitEvalError;
    }
    // --nearest-changes: per rule whose condition failed, what change to the case would make it apply.
    Engine::RuleNotes notes;
    if (options->nearest) {
      const WhatIfOptions w = search_options();
      const auto changes = NearestRuleChanges(engine, *decision, text, w, diags);
      if (!changes) {
        PrintDiagnostics(io, diags, engine.sources(), format);
        return kExitInputError;
      }
      notes = NearestChangeNotes(engine, *decision, *changes, w);
    }
    const TypeId type = engine.DecisionResultType(*decision);
    if (format == DiagFormat::kJson) {
      nlohmann::ordered_json j;
      j["decision"] = options->decision;
      j["as_of"] = as_of->ToString();
      j["applicable"] = result->applicable;
      j["value"] = engine.ValueToJson(type, result->value);
      if (options->explain) {
        j["explanation"] = engine.ExplanationJson(trace, &notes);
      }
      io.out << exact_json::Dump(j, 2) << "\n";
    } else {
      const ir::Program& ir = engine.program().ir();
      const std::string value =
          result->applicable  ? FormatValue(ir.types, type, result->value)
          : result->in_effect ? std::string("not applicable (no rule applies and there is no default)")
                              : fmt::format("not applicable (not in effect on {}; it is in effect {})",
                                            as_of->ToString(), vm::EffectiveSummary(ir.decisions[*decision]));
      if (options->explain) {
        io.out << fmt::format("as of {}\n", as_of->ToString()) << engine.ExplanationText(trace, &notes);
      } else {
        io.out << fmt::format("{} = {}\n", options->decision, value);
      }
    }
    return kExitOk;
  });
}

}  // namespace policy::cli

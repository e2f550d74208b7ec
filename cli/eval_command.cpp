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
  sub->add_option("--input,-i", options->input, "Case record as JSON (a file, or - for standard input)")
      ->required();
  options->as_of.AddTo(sub);
  sub->add_flag("--explain", options->explain,
                "Show which rules applied, which did not and why, with their sources");
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
  sub->add_option("--fix", options->fix,
                  "With --what-if: fields that may not change, as JSON paths (applicant.date_of_birth); "
                  "comma-separated or repeated. Fields the record declares `fixed` are always held")
      ->delimiter(',')
      ->type_name("FIELD")
      ->needs(what_if);
  sub->add_option("--max-changes", options->max_changes,
                  "With --what-if: the most fields one answer may change (default 3)")
      ->check(CLI::Range(1, 20))
      ->needs(what_if);
  sub->add_option("--max-answers", options->max_answers,
                  "With --what-if: how many minimal sets of changes to list (default 3)")
      ->check(CLI::Range(1, 50))
      ->needs(what_if);
  sub->add_option("--timeout", options->timeout_ms,
                  "With --what-if: Z3 time limit per question, in milliseconds (default 10000)")
      ->check(CLI::Range(1, 600000))
      ->needs(what_if);
  options->jit.AddTo(sub, " (--explain always uses the interpreter)");
  options->format.AddTo(sub, "Output", {DiagFormat::kHuman, DiagFormat::kJson});
  return Runner([options, &io]() {
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
    const InputLimits limits;
    BoundedRead read = ReadBounded(options->input, limits.max_bytes);
    const std::string input_name = options->input == "-" ? "<stdin>" : options->input;
    if (read.status == BoundedRead::Status::kCannotRead) {
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
      WhatIfOptions w;
      w.as_of = *as_of;
      if (!options->want.empty()) {
        w.want = options->want;
      }
      w.held = options->fix;
      w.max_changes = options->max_changes;
      w.max_answers = options->max_answers;
      w.timeout_ms = options->timeout_ms;
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
    const TypeId type = engine.DecisionResultType(*decision);
    if (format == DiagFormat::kJson) {
      nlohmann::ordered_json j;
      j["decision"] = options->decision;
      j["as_of"] = as_of->ToString();
      j["applicable"] = result->applicable;
      j["value"] = engine.ValueToJson(type, result->value);
      if (options->explain) {
        j["explanation"] = engine.ExplanationJson(trace);
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
        io.out << fmt::format("as of {}\n", as_of->ToString()) << engine.ExplanationText(trace);
      } else {
        io.out << fmt::format("{} = {}\n", options->decision, value);
      }
    }
    return kExitOk;
  });
}

}  // namespace policy::cli

// `policy eval --decision NAME --input CASE.json [--as-of DATE] [--explain] PATHS`
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

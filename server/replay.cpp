#include "server/replay.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <optional>

#include "server/failure.h"

namespace policy::server {
namespace {

// One decision log line, as far as replay needs it. Views point into the padded line.
struct LoggedDecision {
  std::string_view revision;
  std::string_view decision;
  std::string_view as_of;
  std::string_view input;
  std::string input_text;       // a case that was not JSON, logged as a string
  std::string_view result;      // the result object's text, when it succeeded
  std::string_view error_code;  // when it failed
  std::string_view error_text;  // the error object's text
  bool explain = false;
  bool hash_only = false;
};

auto ReadLine(simdjson::ondemand::parser& parser, const simdjson::padded_string& text, LoggedDecision* out)
    -> std::optional<std::string> {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(text).get(doc) || doc.get_object().get(object)) {
    return "not a JSON object";
  }
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) {
      return "not valid JSON";
    }
    simdjson::ondemand::value value = field.value();
    simdjson::error_code e = simdjson::SUCCESS;
    if (key == "revision") {
      e = value.get_string().get(out->revision);
    } else if (key == "decision") {
      e = value.get_string().get(out->decision);
    } else if (key == "as_of") {
      e = value.get_string().get(out->as_of);
    } else if (key == "explain") {
      e = value.get_bool().get(out->explain);
    } else if (key == "input") {
      simdjson::ondemand::object input;
      e = value.get_object().get(input);
      if (!e) {
        e = input.raw_json().get(out->input);
      }
    } else if (key == "input_text") {
      std::string_view written;
      e = value.get_string().get(written);
      out->input_text = std::string(written);
      out->input = out->input_text;
    } else if (key == "input_hash") {
      out->hash_only = true;
    } else if (key == "result") {
      simdjson::ondemand::object result;
      e = value.get_object().get(result);
      if (!e) {
        e = result.raw_json().get(out->result);
      }
    } else if (key == "error") {
      simdjson::ondemand::object error;
      e = value.get_object().get(error);
      if (!e) {
        e = error.find_field_unordered("code").get_string().get(out->error_code);
      }
      if (!e) {
        e = error.raw_json().get(out->error_text);
      }
    }
    if (e) {
      return fmt::format("the field `{}` cannot be read ({})", key, simdjson::error_message(e));
    }
  }
  if (out->decision.empty() || out->as_of.empty() || (out->input.empty() && !out->hash_only) ||
      (out->result.empty() && out->error_code.empty())) {
    return "not a decision log line (it lacks `decision`, `as_of`, `input`, or `result`/`error`)";
  }
  return std::nullopt;
}

}  // namespace

void Replay(std::istream& log, const api::PolicySet& set, ReplayReport* report) {
  api::Evaluator evaluator(set);
  simdjson::ondemand::parser parser;
  std::string line;
  size_t number = 0;
  while (std::getline(log, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    ++report->lines;
    const simdjson::padded_string text(line);
    LoggedDecision logged;
    if (auto problem = ReadLine(parser, text, &logged)) {
      report->malformed.push_back({number, *problem});
      continue;
    }
    ++report->revisions[std::string(logged.revision)];
    if (logged.hash_only) {
      ++report->skipped_hash_only;
      continue;
    }
    ++report->replayed;
    std::string now;
    bool same = false;
    auto date = api::ParseDate(logged.as_of);
    auto decision = set.decision(logged.decision);
    if (!date) {
      report->malformed.push_back({number, "`as_of` is not a date"});
      --report->replayed;
      continue;
    }
    if (!decision) {
      Failure f = FromApiError(decision.error());
      f.code = "E0906";
      f.message = decision.error().message;
      nlohmann::ordered_json j;
      j["error"] = ErrorObject(f);
      now = Dump(j);
    } else {
      auto result = evaluator.EvaluateJson(*decision, logged.input, *date,
                                           logged.explain ? api::Explain::kJson : api::Explain::kNone);
      if (result) {
        now = std::move(*result);
        same = !logged.result.empty() && now == logged.result;
      } else {
        const Failure f = FromApiError(result.error());
        now = ErrorJson(f);
        same = logged.result.empty() && f.code == logged.error_code;
      }
    }
    if (same) {
      ++report->agreed;
      continue;
    }
    report->differences.push_back({number, std::string(logged.decision), std::string(logged.as_of),
                                   !logged.result.empty()
                                       ? std::string(logged.result)
                                       : fmt::format("{{\"error\":{}}}", logged.error_text),
                                   now});
  }
}

}  // namespace policy::server

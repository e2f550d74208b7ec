#include "server/decision_service.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <atomic>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/fnv.h"
#include "server/failure.h"

namespace policy::server {
namespace {

std::atomic<uint64_t> next_service_id{1};

using Clock = std::chrono::steady_clock;

auto JsonSyntax(simdjson::error_code e) -> Failure {
  if (e == simdjson::DEPTH_ERROR) {
    return {400, "E0907", "the request body nests arrays and objects too deeply", "$"};
  }
  return {400, "E0901", fmt::format("the request body is not valid JSON ({})", simdjson::error_message(e)),
          "$"};
}

// Whether nothing follows the top-level value (simdjson's On-Demand API does not check that by
// itself): its iterator has no current location past the end.
auto AtEnd(simdjson::ondemand::document& doc) -> bool {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

auto Shape(std::string path, std::string message) -> Failure {
  return {400, "S0400", std::move(message), std::move(path)};
}

// Starts reading a request body that must be a JSON object (holding `expected`); the failure
// when it is not.
auto OpenBody(simdjson::ondemand::parser& parser, simdjson::padded_string_view body,
              std::string_view expected, simdjson::ondemand::document* doc,
              simdjson::ondemand::object* object) -> std::optional<Failure> {
  if (auto e = parser.iterate(body).get(*doc)) {
    return JsonSyntax(e);
  }
  if (auto e = doc->get_object().get(*object)) {
    return e == simdjson::INCORRECT_TYPE
               ? Shape("$", fmt::format("the request body must be a JSON object with {}", expected))
               : JsonSyntax(e);
  }
  return std::nullopt;
}

// One request to evaluate, as read from a body: POST /v1/decisions/{name} or an item of a batch.
struct Envelope {
  std::string_view decision;  // batch items only
  std::string_view input;     // the case record's JSON text, as it is in the body
  bool has_decision = false;
  bool has_input = false;
  std::optional<api::Date> as_of;
  bool explain = false;
};

// Reads the fields of one request object. `at` is its JSON path ("$", "$.requests[2]"). Returns
// false with `*failure` set when the object is misshapen; `*syntax` is set instead (and false
// returned) when the JSON itself is broken, which fails a whole batch.
auto ReadEnvelope(simdjson::ondemand::object object, const std::string& at, bool batch_item, Envelope* out,
                  Failure* failure, std::optional<simdjson::error_code>* syntax) -> bool {
  auto field_path = [&at](std::string_view key) { return fmt::format("{}.{}", at, key); };
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto e = std::move(field_result).get(field)) {
      *syntax = e;
      return false;
    }
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) {
      *syntax = e;
      return false;
    }
    simdjson::ondemand::value value = field.value();
    if (key == "input") {
      simdjson::ondemand::object input;
      if (auto e = value.get_object().get(input)) {
        if (e != simdjson::INCORRECT_TYPE) {
          *syntax = e;
        } else {
          *failure = Shape(field_path(key), "`input` must be a JSON object: the case record");
        }
        return false;
      }
      if (auto e = input.raw_json().get(out->input)) {
        *syntax = e;
        return false;
      }
      out->has_input = true;
    } else if (key == "as_of") {
      bool is_null = false;
      if (auto e = value.is_null().get(is_null)) {
        *syntax = e;
        return false;
      }
      if (is_null) {
        continue;
      }
      std::string_view text;
      if (auto e = value.get_string().get(text)) {
        if (e != simdjson::INCORRECT_TYPE) {
          *syntax = e;
        } else {
          *failure = Shape(field_path(key), "`as_of` must be a date written \"YYYY-MM-DD\", or null");
        }
        return false;
      }
      auto date = api::ParseDate(text);
      if (!date) {
        *failure = {400, "E0905", fmt::format("`as_of` is not a real YYYY-MM-DD date: {}", Quote(text)),
                    field_path(key)};
        return false;
      }
      out->as_of = *date;
    } else if (key == "explain") {
      if (auto e = value.get_bool().get(out->explain)) {
        if (e != simdjson::INCORRECT_TYPE) {
          *syntax = e;
        } else {
          *failure = Shape(field_path(key), "`explain` must be true or false");
        }
        return false;
      }
    } else if (key == "decision" && batch_item) {
      if (auto e = value.get_string().get(out->decision)) {
        if (e != simdjson::INCORRECT_TYPE) {
          *syntax = e;
        } else {
          *failure = Shape(field_path(key), "`decision` must be a qualified decision name (a string)");
        }
        return false;
      }
      out->has_decision = true;
    } else {
      *failure =
          Shape(field_path(key), fmt::format("unknown field {} in the request; it takes {}", Quote(key),
                                             batch_item ? "`decision`, `input`, `as_of` and `explain`"
                                                        : "`input`, `as_of` and `explain`"));
      return false;
    }
  }
  if (batch_item && !out->has_decision) {
    *failure = Shape(at, "the request lacks `decision`, the qualified name of the decision to evaluate");
    return false;
  }
  if (!out->has_input) {
    *failure = Shape(at, "the request lacks `input`, the case record to evaluate");
    return false;
  }
  return true;
}

auto UtcTimestamp(std::chrono::system_clock::time_point now) -> std::string {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros % 1000000);
}

}  // namespace

struct DecisionService::Worker {
  uint64_t service = 0;
  uint64_t generation = 0;  // of the LivePolicySet when `set` was taken
  bool taken = false;       // whether `set` was ever taken
  api::PolicySet set;
  std::string revision;  // set.revision(), kept: every answer names it
  api::Evaluator evaluator;
  // Handles of `set`, by name; looked up by the name's view, without copying it.
  struct NameHash {
    using is_transparent = void;
    auto operator()(std::string_view name) const -> size_t { return std::hash<std::string_view>{}(name); }
  };
  std::unordered_map<std::string, api::Decision, NameHash, std::equal_to<>> decisions;
  simdjson::ondemand::parser parser;
  // A request body with the padding simdjson reads past its end: reused, so a body costs a copy
  // but no allocation.
  std::string padded;

  auto Padded(std::string_view body) -> simdjson::padded_string_view {
    if (padded.size() < body.size() + simdjson::SIMDJSON_PADDING) {
      padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded.data(), body.data(), body.size());
    // Zeroed, as simdjson's own padded_string is: nothing an earlier, longer body left there
    // is ever near the parser.
    std::memset(padded.data() + body.size(), 0, simdjson::SIMDJSON_PADDING);
    return simdjson::padded_string_view(padded.data(), body.size(), padded.size());
  }

  // The handle of `name` in `set`; null with `*failure` set when there is none.
  auto Lookup(std::string_view name, Failure* failure) -> const api::Decision* {
    auto it = decisions.find(name);
    if (it != decisions.end()) {
      return &it->second;
    }
    auto found = set.decision(name);
    if (!found) {
      *failure = FromApiError(found.error());
      if (failure->status == 400) {  // a decision that exists but does not take one case record
        failure->status = 404;
      }
      if (failure->code.empty() || failure->code == "S0400") {
        failure->code = "E0906";
      }
      failure->message = found.error().message;
      return nullptr;
    }
    return &decisions.emplace(std::string(name), std::move(*found)).first->second;
  }
};

DecisionService::DecisionService(ServiceOptions options, const api::LivePolicySet& live, Metrics& metrics,
                                 DecisionLog* log)
    : options_(std::move(options)), live_(live), metrics_(metrics), log_(log), id_(next_service_id++) {
  if (!options_.today.empty()) {
    if (auto d = api::ParseDate(options_.today)) {
      fixed_today_ = *d;
    }
  }
}

DecisionService::~DecisionService() = default;

auto DecisionService::CurrentWorker() -> Worker& {
  // One per thread; a function-local thread_local so that it may name the private Worker.
  thread_local std::unique_ptr<Worker> worker;
  if (!worker) {
    worker = std::make_unique<Worker>();
  }
  // The set is taken again only when the generation moved (a reload swapped it): most requests
  // cost one atomic load here, no lock. It is read before the set, so the set taken is at
  // least as new as the generation recorded, and a swap after that moves the generation again.
  const uint64_t generation = live_.generation();
  if (worker->service != id_ || worker->generation != generation || !worker->taken) {
    api::PolicySet set = live_.current();
    if (worker->service != id_ || !worker->taken || set.version() != worker->set.version()) {
      worker->decisions.clear();
      worker->evaluator = set.valid() ? api::Evaluator(set) : api::Evaluator();
      worker->revision = set.revision();
    }
    worker->service = id_;
    worker->generation = generation;
    worker->taken = true;
    worker->set = std::move(set);
  }
  return *worker;
}

auto DecisionService::Today() const -> api::Date {
  if (fixed_today_) {
    return *fixed_today_;
  }
  return api::Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

auto DecisionService::Authorized(const HttpRequest& request) const -> bool {
  if (!options_.token) {
    return true;
  }
  constexpr std::string_view kScheme = "Bearer ";
  std::string_view given = request.authorization;
  if (!given.starts_with(kScheme)) {
    return false;
  }
  given.remove_prefix(kScheme.size());
  const std::string& expected = *options_.token;
  // Compares every byte whatever the first difference, so the time taken says nothing of where
  // a guess went wrong.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  }
  return diff == 0;
}

namespace {

auto MakeError(Metrics& metrics, const Failure& f) -> HttpResponse {
  metrics.CountError(f.code);
  HttpResponse r;
  r.status = f.status;
  r.body = ErrorJson(f);
  return r;
}

auto NoPolicyFailure(const api::LivePolicySet& live) -> Failure {
  auto last = live.last_error();
  return {503, "S0503",
          fmt::format("no valid policy set is loaded yet{}",
                      last ? fmt::format(": {}", last->message) : std::string()),
          ""};
}

}  // namespace

auto DecisionService::Handle(const HttpRequest& request) -> HttpResponse {
  const auto start = Clock::now();
  Endpoint endpoint = Endpoint::kOther;
  HttpResponse response;
  try {
    response = Route(request, &endpoint);
  } catch (const std::exception& e) {
    response = MakeError(metrics_, {500, "S0500", fmt::format("internal error: {}", e.what()), ""});
  } catch (...) {
    response = MakeError(metrics_, {500, "S0500", "internal error", ""});
  }
  metrics_.CountRequest(endpoint, response.status, Clock::now() - start);
  return response;
}

auto DecisionService::Route(const HttpRequest& request, Endpoint* endpoint) -> HttpResponse {
  std::string_view path = request.target;
  if (const size_t query = path.find('?'); query != std::string_view::npos) {
    path = path.substr(0, query);
  }
  constexpr std::string_view kDecisionPrefix = "/v1/decisions/";
  constexpr std::string_view kPartialSuffix = "/partial";
  std::string_view allowed;
  if (path == "/health") {
    *endpoint = Endpoint::kHealth;
    allowed = "GET";
  } else if (path == "/metrics") {
    *endpoint = Endpoint::kMetrics;
    allowed = "GET";
  } else if (path == "/v1/decisions") {
    *endpoint = Endpoint::kDecisions;
    allowed = "GET";
  } else if (path.starts_with(kDecisionPrefix) && path.ends_with(kPartialSuffix) &&
             path.size() > kDecisionPrefix.size() + kPartialSuffix.size()) {
    *endpoint = Endpoint::kPartial;
    allowed = "POST";
  } else if (path.starts_with(kDecisionPrefix) && path.size() > kDecisionPrefix.size()) {
    *endpoint = Endpoint::kDecision;
    allowed = "POST";
  } else if (path == "/v1/batch") {
    *endpoint = Endpoint::kBatch;
    allowed = "POST";
  } else {
    return MakeError(metrics_, {404, "S0404",
                                fmt::format("no endpoint {}; see docs/server.md (POST /v1/decisions/NAME, "
                                            "POST /v1/decisions/NAME/partial, POST /v1/batch, "
                                            "GET /v1/decisions, GET /health, GET /metrics)",
                                            Quote(path)),
                                ""});
  }
  if (*endpoint != Endpoint::kHealth && !Authorized(request)) {
    HttpResponse r = MakeError(
        metrics_, {401, "S0401", "this server needs `Authorization: Bearer <token>` with its token", ""});
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (request.method != allowed) {
    HttpResponse r =
        MakeError(metrics_, {405, "S0405", fmt::format("{} takes {} only", Quote(path), allowed), ""});
    r.headers.emplace_back("Allow", std::string(allowed));
    return r;
  }
  switch (*endpoint) {
    case Endpoint::kHealth:
      return Health();
    case Endpoint::kMetrics: {
      const api::PolicySet set = live_.current();
      if (log_ != nullptr) {
        metrics_.SetDecisionLogDropped(log_->dropped());
      }
      HttpResponse r;
      r.body = metrics_.Render(set.revision(), live_.generation());
      r.content_type = "text/plain; version=0.0.4";
      return r;
    }
    case Endpoint::kDecisions:
      return ListDecisions();
    case Endpoint::kDecision:
      return Decide(request, path.substr(kDecisionPrefix.size()));
    case Endpoint::kPartial:
      return Partial(request, path.substr(kDecisionPrefix.size(),
                                          path.size() - kDecisionPrefix.size() - kPartialSuffix.size()));
    case Endpoint::kBatch:
      return Batch(request);
    case Endpoint::kOther:
      break;
  }
  return MakeError(metrics_, {500, "S0500", "internal error: unrouted endpoint", ""});
}

auto DecisionService::Health() -> HttpResponse {
  const api::PolicySet set = live_.current();
  if (!set.valid()) {
    return MakeError(metrics_, NoPolicyFailure(live_));
  }
  nlohmann::ordered_json j;
  j["status"] = "ok";
  j["revision"] = set.revision();
  j["generation"] = live_.generation();
  if (auto last = live_.last_error()) {
    j["last_reload_error"] = last->message;  // the newest files are refused; `revision` still serves
  }
  HttpResponse r;
  r.body = Dump(j);
  return r;
}

auto DecisionService::ListDecisions() -> HttpResponse {
  const api::PolicySet set = live_.current();
  if (!set.valid()) {
    return MakeError(metrics_, NoPolicyFailure(live_));
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const std::string& name : set.decision_names()) {
    auto d = set.decision(name);
    if (!d) {
      continue;  // reloaded between the two calls? decision_names() lists only what decision() takes
    }
    nlohmann::ordered_json item;
    item["name"] = name;
    item["input_type"] = d->input_type();
    item["result_type"] = d->result_type();
    item["source"] = d->source();
    item["doc"] = d->doc();
    list.push_back(std::move(item));
  }
  nlohmann::ordered_json j;
  j["revision"] = set.revision();
  j["decisions"] = std::move(list);
  HttpResponse r;
  r.body = Dump(j);
  r.headers.emplace_back("Policy-Revision", set.revision());
  return r;
}

namespace {

// What one evaluation gave: the result object's JSON, or the failure.
struct Evaluated {
  std::string result;
  std::optional<Failure> failure;
  // A failed evaluation asked to explain itself: the explanation up to the failure (JSON text),
  // sent beside the error.
  std::string failure_explanation;
};

// Shared by Decide and Batch: evaluates one request on the worker's evaluator.
// The body of POST /v1/decisions/NAME and of .../partial: one request object and nothing after
// it. The envelope's views point into `body`.
auto ReadSingleRequest(simdjson::ondemand::parser& parser, simdjson::padded_string_view body,
                       Envelope* envelope) -> std::optional<Failure> {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (auto problem = OpenBody(parser, body, "`input`", &doc, &object)) {
    return problem;
  }
  Failure failure;
  std::optional<simdjson::error_code> syntax;
  if (!ReadEnvelope(object, "$", false, envelope, &failure, &syntax)) {
    return syntax ? JsonSyntax(*syntax) : failure;
  }
  if (!AtEnd(doc)) {
    return JsonSyntax(simdjson::TRAILING_CONTENT);
  }
  return std::nullopt;
}

auto EvaluateOne(const api::Decision& decision, const Envelope& envelope, api::Date today,
                 api::Evaluator& evaluator) -> Evaluated {
  const api::Date as_of = envelope.as_of.value_or(today);
  auto result = evaluator.EvaluateJson(decision, envelope.input, as_of,
                                       envelope.explain ? api::Explain::kJson : api::Explain::kNone);
  if (!result) {
    return {"", FromApiError(result.error()), result.error().explanation};
  }
  return {std::move(*result), std::nullopt, ""};
}

// One decision log line (docs/server.md, "Decision log").
auto LogLine(std::string_view revision, std::string_view decision, api::Date as_of, const Envelope& envelope,
             LoggedInput logged_input, Clock::duration latency, const Evaluated& evaluated) -> std::string {
  std::string line;
  line.reserve(envelope.input.size() + evaluated.result.size() + 256);
  line += "{\"time\":\"";
  line += UtcTimestamp(std::chrono::system_clock::now());
  line += "\",\"revision\":\"";
  line += revision;
  line += "\",\"decision\":";
  line += Quote(decision);
  line += ",\"as_of\":\"";
  line += api::FormatDate(as_of);
  line += "\",\"explain\":";
  line += envelope.explain ? "true" : "false";
  fmt::format_to(std::back_inserter(line), ",\"latency_us\":{:.1f}",
                 std::chrono::duration<double, std::micro>(latency).count());
  const bool input_is_json =
      !evaluated.failure || (evaluated.failure->code != "E0901" && evaluated.failure->code != "E0907");
  if (logged_input == LoggedInput::kFull && input_is_json) {
    // Minified: the case arrives as its client wrote it, often over many lines, and the log
    // holds one decision per line.
    line += ",\"input\":";
    const size_t at = line.size();
    line.resize(at + envelope.input.size());
    size_t length = 0;
    if (simdjson::minify(envelope.input.data(), envelope.input.size(), line.data() + at, length) !=
        simdjson::SUCCESS) {
      length = 0;
    }
    line.resize(at + length);
  } else if (logged_input == LoggedInput::kFull) {
    // Not JSON (the evaluation said so): kept as a string, replayed as the same text.
    line += ",\"input_text\":";
    line += Quote(envelope.input);
  } else {
    fmt::format_to(std::back_inserter(line), ",\"input_hash\":\"{:016x}\"", Fnv1a64(envelope.input));
  }
  if (evaluated.failure) {
    line += ",\"error\":";
    line += Dump(ErrorObject(*evaluated.failure));
  } else {
    line += ",\"result\":";
    line += evaluated.result;
  }
  line += '}';
  return line;
}

}  // namespace

auto DecisionService::SingleDecision(std::string_view name, Worker** worker, const api::Decision** decision)
    -> std::optional<HttpResponse> {
  Worker& w = CurrentWorker();
  if (!w.set.valid()) {
    return MakeError(metrics_, NoPolicyFailure(live_));
  }
  Failure failure;
  *decision = w.Lookup(name, &failure);
  if (*decision == nullptr) {
    return MakeError(metrics_, failure);
  }
  *worker = &w;
  return std::nullopt;
}

auto DecisionService::Decide(const HttpRequest& request, std::string_view name) -> HttpResponse {
  const auto start = Clock::now();
  Worker* current = nullptr;
  const api::Decision* decision = nullptr;
  if (auto refused = SingleDecision(name, &current, &decision)) {
    return std::move(*refused);
  }
  Worker& worker = *current;  // its set is the one version this request sees
  Envelope envelope;
  if (auto problem = ReadSingleRequest(worker.parser, worker.Padded(request.body), &envelope)) {
    return MakeError(metrics_, *problem);
  }
  const api::Date today = Today();
  Evaluated evaluated = EvaluateOne(*decision, envelope, today, worker.evaluator);
  metrics_.CountDecisions(1);
  if (log_ != nullptr) {
    log_->Append(LogLine(worker.revision, decision->name(), envelope.as_of.value_or(today), envelope,
                         options_.logged_input, Clock::now() - start, evaluated));
  }
  HttpResponse r;
  if (evaluated.failure) {
    r = MakeError(metrics_, *evaluated.failure);
    if (!evaluated.failure_explanation.empty()) {
      // {"error": {...}, "explanation": [...]}: exact JSON already (exact_json), appended as is.
      r.body.pop_back();
      r.body += ",\"explanation\":" + evaluated.failure_explanation + "}";
    }
  } else {
    r.body = std::move(evaluated.result);
  }
  r.headers.emplace_back("Policy-Revision", worker.revision);
  return r;
}

auto DecisionService::Partial(const HttpRequest& request, std::string_view name) -> HttpResponse {
  Worker* current = nullptr;
  const api::Decision* decision = nullptr;
  if (auto refused = SingleDecision(name, &current, &decision)) {
    return std::move(*refused);
  }
  Worker& worker = *current;  // its set is the one version this request sees
  Envelope envelope;
  if (auto problem = ReadSingleRequest(worker.parser, worker.Padded(request.body), &envelope)) {
    return MakeError(metrics_, *problem);
  }
  if (envelope.explain) {
    return MakeError(metrics_, Shape("$.explain",
                                     "`explain` does not apply to /partial: the answer lists the "
                                     "questions still open instead"));
  }
  // It runs on this connection's thread, like every request, but takes milliseconds to seconds
  // rather than microseconds: each solver question is held to kPartialQuestionMs, a fifth of
  // the command's bound, so one request cannot hold the thread for long (docs/server.md).
  constexpr unsigned kPartialQuestionMs = 2000;
  auto result =
      decision->EvaluatePartial(envelope.input, envelope.as_of.value_or(Today()), kPartialQuestionMs);
  metrics_.CountDecisions(1);
  HttpResponse r;
  if (!result) {
    r = MakeError(metrics_, FromApiError(result.error()));
  } else {
    r.body = std::move(result->json);
  }
  r.headers.emplace_back("Policy-Revision", worker.revision);
  return r;
}

auto DecisionService::Batch(const HttpRequest& request) -> HttpResponse {
  Worker& worker = CurrentWorker();  // its set is the one version of the whole batch
  if (!worker.set.valid()) {
    return MakeError(metrics_, NoPolicyFailure(live_));
  }
  const simdjson::padded_string_view body = worker.Padded(request.body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (auto problem = OpenBody(worker.parser, body, "`requests`", &doc, &object)) {
    return MakeError(metrics_, *problem);
  }
  // First every item is read (a JSON error anywhere fails the whole batch before anything is
  // evaluated); then each is evaluated, an item's misshapen request being its own error.
  struct Item {
    Envelope envelope;
    std::optional<Failure> failure;
  };
  std::vector<Item> items;
  bool has_requests = false;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) {
      return MakeError(metrics_, JsonSyntax(e));
    }
    if (auto e = field.unescaped_key().get(key)) {
      return MakeError(metrics_, JsonSyntax(e));
    }
    if (key != "requests") {
      return MakeError(metrics_,
                       Shape(fmt::format("$.{}", key),
                             fmt::format("unknown field {} in the batch; it takes `requests`", Quote(key))));
    }
    simdjson::ondemand::array array;
    if (auto e = field.value().get_array().get(array)) {
      return MakeError(metrics_, e == simdjson::INCORRECT_TYPE
                                     ? Shape("$.requests", "`requests` must be an array of requests")
                                     : JsonSyntax(e));
    }
    has_requests = true;
    for (auto element_result : array) {
      if (items.size() == options_.max_batch) {
        return MakeError(metrics_,
                         {413, "S0413", fmt::format("a batch holds at most {} requests", options_.max_batch),
                          "$.requests"});
      }
      const std::string at = fmt::format("$.requests[{}]", items.size());
      Item& item = items.emplace_back();
      simdjson::ondemand::value element;
      if (auto e = std::move(element_result).get(element)) {
        return MakeError(metrics_, JsonSyntax(e));
      }
      simdjson::ondemand::object request_object;
      if (auto e = element.get_object().get(request_object)) {
        if (e != simdjson::INCORRECT_TYPE) {
          return MakeError(metrics_, JsonSyntax(e));
        }
        item.failure = Shape(at, "each request must be an object with `decision` and `input`");
        continue;
      }
      Failure failure;
      std::optional<simdjson::error_code> syntax;
      if (!ReadEnvelope(request_object, at, true, &item.envelope, &failure, &syntax)) {
        if (syntax) {
          return MakeError(metrics_, JsonSyntax(*syntax));
        }
        item.failure = std::move(failure);
      }
    }
  }
  if (!AtEnd(doc)) {
    return MakeError(metrics_, JsonSyntax(simdjson::TRAILING_CONTENT));
  }
  if (!has_requests) {
    return MakeError(metrics_, Shape("$", "the batch lacks `requests`, the array of requests"));
  }
  const api::Date today = Today();
  std::string out = "{\"results\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    const auto start = Clock::now();
    Item& item = items[i];
    if (i != 0) {
      out += ',';
    }
    const api::Decision* decision = nullptr;
    if (!item.failure) {
      Failure failure;
      decision = worker.Lookup(item.envelope.decision, &failure);
      if (decision == nullptr) {
        failure.path = fmt::format("$.requests[{}].decision", i);
        item.failure = std::move(failure);
      }
    }
    if (item.failure) {
      metrics_.CountError(item.failure->code);
      nlohmann::ordered_json j;
      j["error"] = ErrorObject(*item.failure);
      out += Dump(j);
      continue;
    }
    Evaluated evaluated = EvaluateOne(*decision, item.envelope, today, worker.evaluator);
    if (log_ != nullptr) {
      log_->Append(LogLine(worker.revision, decision->name(), item.envelope.as_of.value_or(today),
                           item.envelope, options_.logged_input, Clock::now() - start, evaluated));
    }
    if (evaluated.failure) {
      metrics_.CountError(evaluated.failure->code);
      nlohmann::ordered_json j;
      j["error"] = ErrorObject(*evaluated.failure);
      out += Dump(j);
    } else {
      out += evaluated.result;
    }
  }
  metrics_.CountDecisions(items.size());
  out += "]}";
  HttpResponse r;
  r.body = std::move(out);
  r.headers.emplace_back("Policy-Revision", worker.revision);
  return r;
}

}  // namespace policy::server

// The decision service without sockets: every endpoint and error code, the answers equal to
// `policy eval --format json` (a differential test: the server and the CLI are two roads to
// one engine), batches, metrics, the decision log and its replay.
#include "server/decision_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/driver.h"
#include "runtime/engine/exact_json.h"
#include "server/replay.h"
#include "tests/unit/server/server_test_support.h"

namespace policy::server {
namespace {

using Json = nlohmann::ordered_json;
using testing::SmallPolicy;
using testing::TempDir;
using testing::WriteAtomically;

constexpr const char* kToday = "2025-09-01";

auto ReadFile(const std::string& path) -> std::string {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

auto ReloadOptionsForTests() -> api::ReloadOptions {
  api::ReloadOptions o;
  o.start_without_valid_set = true;
  o.load.tests_as_of = api::ParseDate(kToday).value();
  return o;
}

// A service on a LivePolicySet of `paths`.
struct Fixture {
  explicit Fixture(std::vector<std::string> paths, ServiceOptions options = {}, DecisionLog* log = nullptr) {
    auto started = api::LivePolicySet::Start(paths, ReloadOptionsForTests());
    EXPECT_TRUE(started.ok());
    live = std::move(*started);
    if (options.today.empty()) {
      options.today = kToday;
    }
    service = std::make_unique<DecisionService>(options, *live, metrics, log);
  }
  auto Post(const std::string& target, const std::string& body, std::string_view auth = {}) -> HttpResponse {
    return service->Handle({"POST", target, auth, body});
  }
  auto Get(const std::string& target, std::string_view auth = {}) -> HttpResponse {
    return service->Handle({"GET", target, auth, ""});
  }
  Metrics metrics;
  std::unique_ptr<api::LivePolicySet> live;
  std::unique_ptr<DecisionService> service;
};

auto Body(const std::string& case_json, const std::string& extra = "") -> std::string {
  return "{\"input\": " + case_json + extra + "}";
}

auto ErrorCode(const HttpResponse& r) -> std::string {
  return Json::parse(r.body)["error"]["code"].get<std::string>();
}

auto ErrorPath(const HttpResponse& r) -> std::string {
  const Json j = Json::parse(r.body)["error"];
  return j.contains("path") ? j["path"].get<std::string>() : "";
}

const std::vector<std::string> kCases = {"hk_dependant_spouse",       "hk_exchange_student",
                                         "hk_extension_applicant",    "hk_mainland_undergraduate",
                                         "hk_minor_private_school",   "hk_taiwan_part_time_postgraduate",
                                         "hk_undergraduate_with_jobs"};
const std::vector<std::string> kDecisions = {"hk.employment.part_time_on_campus_allowed",
                                             "hk.stay.limit_of_stay",
                                             "hk.entry.eligible",
                                             "hk.dependants.may_sponsor",
                                             "hk.entry.applicant_documents",
                                             "hk.employment.timesheet_violations"};

TEST(DecisionServiceTest, AnswersExactlyAsPolicyEvalFormatJson) {
  Fixture f({"policies"});
  size_t compared = 0;
  for (const std::string& name : kDecisions) {
    for (const std::string& c : kCases) {
      const std::string path = "examples/cases/" + c + ".json";
      for (const bool explain : {false, true}) {
        const HttpResponse r =
            f.Post("/v1/decisions/" + name, Body(ReadFile(path), explain ? ", \"explain\": true" : ""));
        std::ostringstream out;
        std::ostringstream err;
        std::vector<std::string> args = {"eval", "policies", "-d", name, "-i", path, "--format", "json"};
        if (explain) {
          args.push_back("--explain");
        }
        cli::DriverEnv env;
        env.today = kToday;
        const int code = cli::RunPolicyCommand(args, out, err, env);
        if (code == 3) {  // the evaluation failed: the server says 422, with the same code
          EXPECT_EQ(r.status, 422) << name << " " << c << ": " << r.body;
          continue;
        }
        ASSERT_EQ(code, 0) << err.str();
        ASSERT_EQ(r.status, 200) << name << " " << c << ": " << r.body;
        EXPECT_EQ(exact_json::Dump(exact_json::Parse<Json>(r.body)),
                  exact_json::Dump(exact_json::Parse<Json>(out.str())))
            << name << " on " << c << (explain ? " (explained)" : "");
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, kDecisions.size() * kCases.size());  // most evaluate; failures must stay the exception
}

TEST(DecisionServiceTest, AsOfInTheBodyIsTheEvaluationDate) {
  Fixture f({"policies"});
  const std::string c = ReadFile("examples/cases/hk_mainland_undergraduate.json");
  const HttpResponse before = f.Post("/v1/decisions/hk.employment.part_time_on_campus_allowed",
                                     Body(c, ", \"as_of\": \"2010-01-01\""));
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(Json::parse(before.body)["as_of"], "2010-01-01");
  const HttpResponse today = f.Post("/v1/decisions/hk.employment.part_time_on_campus_allowed", Body(c));
  EXPECT_EQ(Json::parse(today.body)["as_of"], kToday);
  EXPECT_FALSE(today.headers.empty());
}

// POST /v1/decisions/NAME/partial answers exactly as `policy eval --partial --format json`
// (tests/golden/eval/partial_json.test pins that output for the same case).
TEST(DecisionServiceTest, PartialAnswersWhatIsDecidedAndWhatIsStillNeeded) {
  Fixture f({"policies"});
  const std::string exchange_only = ReadFile("tests/golden/eval/inputs.dir/exchange_only.json");
  const HttpResponse decided = f.Post("/v1/decisions/hk.employment.part_time_on_campus_allowed/partial",
                                      Body(exchange_only, ", \"as_of\": \"2025-09-01\""));
  ASSERT_EQ(decided.status, 200) << decided.body;
  const Json j = Json::parse(decided.body);
  EXPECT_EQ(j["decision"], "hk.employment.part_time_on_campus_allowed");
  EXPECT_EQ(j["verdict"], "decided");
  EXPECT_EQ(j["value"], false);
  EXPECT_TRUE(j["questions"].empty());
  const HttpResponse open = f.Post("/v1/decisions/hk.stay.limit_of_stay/partial",
                                   Body(ReadFile("tests/data/partial_programme_only.json")));
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(Json::parse(open.body)["verdict"], "undecided");
  EXPECT_EQ(Json::parse(open.body)["questions"][0], "$.applicant.travel_document_expiry");
  // Errors as for an evaluation: a bad value with its path, an unknown decision, no explain.
  const HttpResponse bad = f.Post("/v1/decisions/hk.employment.part_time_on_campus_allowed/partial",
                                  Body(R"({"programme": {"mode": "sometimes"}})"));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(ErrorPath(bad), "$.programme.mode");
  EXPECT_EQ(f.Post("/v1/decisions/no.such/partial", Body("{}")).status, 404);
  const HttpResponse explain = f.Post("/v1/decisions/hk.employment.part_time_on_campus_allowed/partial",
                                      Body(exchange_only, ", \"explain\": true"));
  EXPECT_EQ(explain.status, 400);
  EXPECT_EQ(ErrorPath(explain), "$.explain");
  EXPECT_EQ(f.Get("/v1/decisions/hk.stay.limit_of_stay/partial").status, 405);
  EXPECT_NE(f.Get("/metrics").body.find("policy_requests_total{endpoint=\"partial\",status=\"200\"} 2"),
            std::string::npos);
}

TEST(DecisionServiceTest, EachErrorHasItsStatusCodeAndPath) {
  TempDir dir("errors");
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20));
  Fixture f({dir.path().string()});
  struct Case {
    std::string body;
    int status;
    std::string code;
    std::string path;
  };
  const std::vector<Case> cases = {
      {"{\"input\": {\"hours\": 30}}", 200, "", ""},
      {"not json", 400, "S0400", "$"},
      {"{\"input\": {\"hours\": 30}", 400, "E0901", "$"},
      {"{\"input\": {\"hours\": 30}} trailing", 400, "E0901", "$"},
      {"{\"input\": {\"hours\": \"many\"}}", 400, "E0903", "$.hours"},
      {"{\"input\": {}}", 400, "E0902", "$.hours"},
      {"{\"input\": {\"hours\": 1, \"extra\": 2}}", 400, "E0908", "$.extra"},
      {"{\"input\": {\"hours\": 1e400}}", 400, "", ""},
      {"{\"input\": 7}", 400, "S0400", "$.input"},
      {"{\"hours\": 7}", 400, "S0400", "$.hours"},
      {"{}", 400, "S0400", "$"},
      {"{\"input\": {\"hours\": 1}, \"as_of\": \"2025-02-30\"}", 400, "E0905", "$.as_of"},
      {"{\"input\": {\"hours\": 1}, \"as_of\": 20250101}", 400, "S0400", "$.as_of"},
      {"{\"input\": {\"hours\": 1}, \"explain\": \"yes\"}", 400, "S0400", "$.explain"},
      {std::string(100, '[') + std::string(100, ']'), 400, "S0400", "$"},
      {"{\"input\": " + std::string(5000, '[') + std::string(5000, ']') + "}", 400, "", ""},
  };
  for (const Case& c : cases) {
    const HttpResponse r = f.Post("/v1/decisions/t.over", c.body);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 80) << " -> " << r.body;
    if (c.status != 200) {
      EXPECT_TRUE(Json::accept(r.body)) << r.body;
      if (!c.code.empty()) {
        EXPECT_EQ(ErrorCode(r), c.code) << c.body.substr(0, 80) << " -> " << r.body;
        EXPECT_EQ(ErrorPath(r), c.path) << c.body.substr(0, 80) << " -> " << r.body;
      }
    }
  }
  // 422: the evaluation failed (a conflict between rules), 404: no such decision or endpoint.
  const HttpResponse conflict = f.Post("/v1/decisions/t.conflict", "{\"input\": {\"hours\": 13}}");
  EXPECT_EQ(conflict.status, 422) << conflict.body;
  EXPECT_EQ(ErrorCode(conflict), "E0910");
  EXPECT_FALSE(Json::parse(conflict.body).contains("explanation"));
  // Asked to explain, the failure is explained up to the error, beside it (issue 34).
  const HttpResponse explained =
      f.Post("/v1/decisions/t.conflict", "{\"input\": {\"hours\": 13}, \"explain\": true}");
  EXPECT_EQ(explained.status, 422) << explained.body;
  const Json body = Json::parse(explained.body);
  EXPECT_EQ(body["error"]["code"], "E0910");
  EXPECT_EQ(body["explanation"][0]["decided_by"], "conflict") << explained.body;
  EXPECT_EQ(body["explanation"][0]["conflicting_rules"].size(), 2U) << explained.body;
  const HttpResponse missing = f.Post("/v1/decisions/t.nope", "{\"input\": {\"hours\": 13}}");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "E0906");
  EXPECT_EQ(f.Get("/v2/anything").status, 404);
  EXPECT_EQ(ErrorCode(f.Get("/v2/anything")), "S0404");
  const HttpResponse wrong_method = f.Get("/v1/decisions/t.over");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(ErrorCode(wrong_method), "S0405");
  EXPECT_EQ(f.Post("/health", "").status, 405);
}

TEST(DecisionServiceTest, TokenGuardsEverythingButHealth) {
  TempDir dir("token");
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20));
  ServiceOptions options;
  options.token = "s3cret";
  Fixture f({dir.path().string()}, options);
  const std::string body = "{\"input\": {\"hours\": 30}}";
  EXPECT_EQ(f.Post("/v1/decisions/t.over", body).status, 401);
  EXPECT_EQ(ErrorCode(f.Post("/v1/decisions/t.over", body)), "S0401");
  EXPECT_EQ(f.Post("/v1/decisions/t.over", body, "Bearer s3cre").status, 401);
  EXPECT_EQ(f.Post("/v1/decisions/t.over", body, "Bearer s3cret!").status, 401);
  EXPECT_EQ(f.Post("/v1/decisions/t.over", body, "s3cret").status, 401);
  EXPECT_EQ(f.Get("/metrics").status, 401);
  EXPECT_EQ(f.Get("/v1/decisions").status, 401);
  EXPECT_EQ(f.Post("/v1/decisions/t.over", body, "Bearer s3cret").status, 200);
  EXPECT_EQ(f.Get("/health").status, 200);
}

TEST(DecisionServiceTest, NoValidPolicyYetIs503UntilTheFilesAreFixed) {
  TempDir dir("no-policy");
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20, /*broken=*/true));
  Fixture f({dir.path().string()});
  const HttpResponse health = f.Get("/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(ErrorCode(health), "S0503");
  EXPECT_EQ(f.Post("/v1/decisions/t.over", "{\"input\": {\"hours\": 30}}").status, 503);
  EXPECT_EQ(f.Post("/v1/batch", "{\"requests\": []}").status, 503);
  EXPECT_EQ(f.Get("/v1/decisions").status, 503);
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20));
  const api::ReloadEvent e = f.live->ReloadNow();
  ASSERT_TRUE(e.swapped);
  EXPECT_EQ(f.Get("/health").status, 200);
  EXPECT_EQ(f.Post("/v1/decisions/t.over", "{\"input\": {\"hours\": 30}}").status, 200);
}

TEST(DecisionServiceTest, BatchAnswersEachRequestInOrderOnOneVersion) {
  TempDir dir("batch");
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20));
  ServiceOptions options;
  options.max_batch = 5;
  Fixture f({dir.path().string()}, options);
  const HttpResponse r =
      f.Post("/v1/batch",
             "{\"requests\": ["
             "{\"decision\": \"t.over\", \"input\": {\"hours\": 30}},"
             "{\"decision\": \"t.over\", \"input\": {\"hours\": 3}, \"as_of\": \"2020-01-01\"},"
             "{\"decision\": \"t.conflict\", \"input\": {\"hours\": 13}},"
             "{\"decision\": \"t.none\", \"input\": {\"hours\": 13}},"
             "7]}");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json results = Json::parse(r.body)["results"];
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["value"], true);
  EXPECT_EQ(results[1]["value"], false);
  EXPECT_EQ(results[1]["as_of"], "2020-01-01");
  EXPECT_EQ(results[2]["error"]["code"], "E0910");
  EXPECT_EQ(results[3]["error"]["code"], "E0906");
  EXPECT_EQ(results[3]["error"]["path"], "$.requests[3].decision");
  EXPECT_EQ(results[4]["error"]["code"], "S0400");
  // Bounded: more than max_batch requests is refused whole.
  std::string six = "{\"requests\": [";
  for (int i = 0; i < 6; ++i) {
    six += std::string(i ? "," : "") + "{\"decision\": \"t.over\", \"input\": {\"hours\": 1}}";
  }
  const HttpResponse too_many = f.Post("/v1/batch", six + "]}");
  EXPECT_EQ(too_many.status, 413);
  EXPECT_EQ(ErrorCode(too_many), "S0413");
  // Broken JSON anywhere fails the whole batch before anything is evaluated.
  EXPECT_EQ(f.Post("/v1/batch", "{\"requests\": [{\"decision\": \"t.over\", \"input\": {\"hours\": 1}}, {]}")
                .status,
            400);
  EXPECT_EQ(f.Post("/v1/batch", "{\"requests\": 5}").status, 400);
  EXPECT_EQ(f.Post("/v1/batch", "{\"reqs\": []}").status, 400);
  EXPECT_EQ(Json::parse(f.Post("/v1/batch", "{\"requests\": []}").body)["results"].size(), 0u);
}

TEST(DecisionServiceTest, ListsDecisionsWithTypesAndSources) {
  TempDir dir("list");
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20));
  Fixture f({dir.path().string()});
  const HttpResponse r = f.Get("/v1/decisions");
  ASSERT_EQ(r.status, 200);
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["revision"], f.live->current().revision());
  ASSERT_EQ(j["decisions"].size(), 3u);
  const Json over = j["decisions"][2];
  EXPECT_EQ(over["name"], "t.over");
  EXPECT_EQ(over["input_type"], "Case");
  EXPECT_EQ(over["result_type"], "Bool");
  EXPECT_EQ(over["source"], "Test Ordinance s.1");
  EXPECT_EQ(over["doc"], "Does the case work more hours than the limit?");
}

TEST(DecisionServiceTest, MetricsCountRequestsErrorsAndLatency) {
  TempDir dir("metrics");
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20));
  Fixture f({dir.path().string()});
  for (int i = 0; i < 3; ++i) {
    (void)f.Post("/v1/decisions/t.over", "{\"input\": {\"hours\": 30}}");
  }
  (void)f.Post("/v1/decisions/t.over", "{\"input\": {\"hours\": true}}");
  (void)f.Post("/v1/decisions/t.conflict", "{\"input\": {\"hours\": 13}}");
  const std::string m = f.Get("/metrics").body;
  EXPECT_NE(m.find("policy_requests_total{endpoint=\"decision\",status=\"200\"} 3\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("policy_requests_total{endpoint=\"decision\",status=\"400\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("policy_requests_total{endpoint=\"decision\",status=\"422\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("policy_errors_total{code=\"E0903\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("policy_errors_total{code=\"E0910\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("policy_request_duration_seconds_count{endpoint=\"decision\"} 5\n"), std::string::npos);
  EXPECT_NE(m.find("policy_request_duration_seconds_bucket{endpoint=\"decision\",le=\"+Inf\"} 5\n"),
            std::string::npos);
  EXPECT_NE(m.find("policy_decisions_total 5\n"), std::string::npos);
  EXPECT_NE(m.find("policy_revision_info{revision=\"" + f.live->current().revision() + "\"} 1"),
            std::string::npos);
  EXPECT_NE(m.find("policy_generation 1\n"), std::string::npos);
}

TEST(DecisionServiceTest, TheDecisionLogReplaysOnItsRevisionAndShowsAChange) {
  TempDir dir("log");
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(20));
  const std::string log_path = (dir.path() / "decisions.log").string();
  {
    std::string error;
    auto log = DecisionLog::Open(log_path, &error);
    ASSERT_TRUE(log) << error;
    Fixture f({(dir.path() / "t.policy").string()}, {}, log.get());
    for (int hours : {10, 22, 30}) {
      EXPECT_EQ(
          f.Post("/v1/decisions/t.over", "{\"input\": {\n  \"hours\": " + std::to_string(hours) + "\n}}")
              .status,
          200);
    }
    EXPECT_EQ(f.Post("/v1/decisions/t.conflict", "{\"input\": {\"hours\": 13}}").status, 422);
    EXPECT_EQ(f.Post("/v1/decisions/t.over", "{\"input\": {\"hours\": 1}, \"explain\": true}").status, 200);
    log->Close();
  }
  const std::string text = ReadFile(log_path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5) << text;
  auto same = api::PolicySet::Load({(dir.path() / "t.policy").string()});
  ASSERT_TRUE(same.ok());
  {
    std::istringstream in(text);
    ReplayReport report;
    Replay(in, *same, &report);
    EXPECT_EQ(report.replayed, 5u);
    EXPECT_EQ(report.agreed, 5u);
    EXPECT_TRUE(report.differences.empty());
    EXPECT_TRUE(report.malformed.empty());
    EXPECT_EQ(report.revisions.at(same->revision()), 5u);
  }
  // The limit raised to 25: the case of 22 hours now decides differently, and only it.
  WriteAtomically(dir.path() / "t.policy", SmallPolicy(25));
  auto raised = api::PolicySet::Load({(dir.path() / "t.policy").string()});
  ASSERT_TRUE(raised.ok());
  EXPECT_NE(raised->revision(), same->revision());
  std::istringstream in(text + "not a log line\n");
  ReplayReport report;
  Replay(in, *raised, &report);
  // The explained decision (line 5) keeps its value, but its explanation quotes the changed
  // condition (`c.hours > 25`), so it differs too.
  EXPECT_EQ(report.replayed, 5u);
  EXPECT_EQ(report.agreed, 3u);
  ASSERT_EQ(report.differences.size(), 2u);
  EXPECT_EQ(report.differences[0].line, 2u);
  EXPECT_NE(report.differences[0].logged.find("\"value\":true"), std::string::npos);
  EXPECT_NE(report.differences[0].now.find("\"value\":false"), std::string::npos);
  EXPECT_EQ(report.differences[1].line, 5u);
  EXPECT_NE(report.differences[1].now.find("c.hours > 25"), std::string::npos) << report.differences[1].now;
  ASSERT_EQ(report.malformed.size(), 1u);
  EXPECT_EQ(report.malformed[0].line, 6u);
}

TEST(DecisionServiceTest, RevisionDependsOnTheTextsOnly) {
  TempDir a("revision-a");
  TempDir b("revision-b");
  WriteAtomically(a.path() / "one.policy", SmallPolicy(20));
  WriteAtomically(b.path() / "other-name.policy", SmallPolicy(20));
  auto first = api::PolicySet::Load({a.path().string()});
  auto second = api::PolicySet::Load({b.path().string()});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->revision(), second->revision());
  EXPECT_EQ(first->revision().size(), 16u);
  WriteAtomically(b.path() / "other-name.policy", SmallPolicy(21));
  auto third = api::PolicySet::Load({b.path().string()});
  ASSERT_TRUE(third.ok());
  EXPECT_NE(first->revision(), third->revision());
}

}  // namespace
}  // namespace policy::server

// The decision service behind `policy serve`: from an HTTP request already read to the response
// to write (docs/server.md lists the endpoints and errors). It evaluates through the embedding
// API (policy.hpp) on the set a LivePolicySet serves, so the server decides exactly as the
// library and `policy eval` do.
//
// One request, one version: the set serving is taken once when a request (or a whole batch)
// starts and everything it evaluates uses that set, so a hot reload in the middle cannot mix two
// versions in one answer. Each thread keeps its own Evaluator and decision handles (evaluators are
// not thread-safe, and handles are cheaper kept than looked up), rebuilt when the version changes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "policy/policy.hpp"
#include "server/decision_log.h"
#include "server/http_types.h"
#include "server/metrics.h"

namespace policy::server {

enum class LoggedInput : uint8_t { kFull, kHash };

struct ServiceOptions {
  // When set, every endpoint but /health needs `Authorization: Bearer <token>`.
  std::optional<std::string> token;
  size_t max_batch = 1000;  // requests in one POST /v1/batch
  // The evaluation date of a request without `as_of`; empty: today in UTC, read per request.
  std::string today;
  LoggedInput logged_input = LoggedInput::kFull;
};

class DecisionService {
 public:
  // `log` may be null (no decision log). `live`, `metrics` and `log` must outlive the service.
  DecisionService(ServiceOptions options, const api::LivePolicySet& live, Metrics& metrics, DecisionLog* log);
  ~DecisionService();
  DecisionService(const DecisionService&) = delete;
  auto operator=(const DecisionService&) -> DecisionService& = delete;

  // Never throws: an unexpected failure is a 500 with code S0500.
  auto Handle(const HttpRequest& request) -> HttpResponse;

 private:
  struct Worker;
  // This thread's worker, on the set serving now.
  auto CurrentWorker() -> Worker&;
  auto Route(const HttpRequest& request, Endpoint* endpoint) -> HttpResponse;
  // What POST /v1/decisions/NAME and .../partial start with: this thread's worker and the
  // decision on the version it serves, or the error response (no valid set, no such decision).
  auto SingleDecision(std::string_view name, Worker** worker, const api::Decision** decision)
      -> std::optional<HttpResponse>;
  auto Decide(const HttpRequest& request, std::string_view name) -> HttpResponse;
  // POST /v1/decisions/NAME/partial: Decision::EvaluatePartial (docs/server.md).
  auto Partial(const HttpRequest& request, std::string_view name) -> HttpResponse;
  auto Batch(const HttpRequest& request) -> HttpResponse;
  auto ListDecisions() -> HttpResponse;
  auto Health() -> HttpResponse;
  auto Today() const -> api::Date;
  auto Authorized(const HttpRequest& request) const -> bool;

  ServiceOptions options_;
  const api::LivePolicySet& live_;
  Metrics& metrics_;
  DecisionLog* log_;
  const uint64_t id_;  // tells this service's per-thread workers from another's
  std::optional<api::Date> fixed_today_;
};

}  // namespace policy::server

// What `GET /metrics` reports, in the Prometheus text format: requests by endpoint and status,
// a latency histogram per endpoint, errors by diagnostic code, reloads, and the revision
// serving. Counting is a relaxed atomic add on the request path (no lock), except for errors,
// which are rare and keyed by a code string.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace policy::server {

enum class Endpoint : uint8_t { kDecision, kPartial, kBatch, kDecisions, kHealth, kMetrics, kOther };
inline constexpr size_t kEndpointCount = 7;

class Metrics {
 public:
  // One request answered with `status` after `elapsed`.
  void CountRequest(Endpoint endpoint, int status, std::chrono::nanoseconds elapsed);
  // Decisions evaluated (a batch counts each of its requests).
  void CountDecisions(uint64_t n) { decisions_.fetch_add(n, std::memory_order_relaxed); }
  // One error answer (or one failed item of a batch), by its code ("E0903", "S0401").
  void CountError(std::string_view code);
  void CountReload(bool swapped);
  // Lines the decision log could not keep up with (see DecisionLog).
  void SetDecisionLogDropped(uint64_t n) { log_dropped_.store(n, std::memory_order_relaxed); }

  // `revision` and `generation` describe the set serving now ("" and 0 before one loads).
  auto Render(std::string_view revision, uint64_t generation) const -> std::string;

  // Upper bounds of the latency buckets, in seconds (the +Inf bucket is implied).
  static constexpr std::array<double, 14> kBuckets = {
      0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0};
  // The statuses counted by name; any other is counted as "other".
  static constexpr std::array<int, 12> kStatuses = {200, 400, 401, 404, 405, 408, 413, 422, 431, 500, 503, 0};

 private:
  struct PerEndpoint {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<uint64_t> sum_ns{0};
  };
  std::array<PerEndpoint, kEndpointCount> endpoints_{};
  std::atomic<uint64_t> decisions_{0};
  std::atomic<uint64_t> reloads_ok_{0};
  std::atomic<uint64_t> reloads_refused_{0};
  std::atomic<uint64_t> log_dropped_{0};
  mutable std::mutex errors_mutex_;
  std::map<std::string, uint64_t, std::less<>> errors_;
};

}  // namespace policy::server

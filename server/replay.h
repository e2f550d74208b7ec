// `policy replay LOG POLICY_PATHS`: re-evaluates every decision of a decision log (written by
// `policy serve --decision-log`) on a policy set and reports each result that differs from the
// logged one. Replaying on the revision that logged it must agree line for line; replaying on a
// new revision shows what the change does to real traffic.
#pragma once

#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "policy/policy.hpp"

namespace policy::server {

struct ReplayDifference {
  size_t line = 0;  // 1-based
  std::string decision;
  std::string as_of;
  std::string logged;  // the logged result object, or {"error": ...}
  std::string now;     // the same, from this replay
};

struct ReplayReport {
  size_t lines = 0;     // non-empty lines read
  size_t replayed = 0;  // decisions evaluated again
  size_t agreed = 0;
  size_t skipped_hash_only = 0;             // logged with --decision-log-input hash: no input to replay
  std::map<std::string, size_t> revisions;  // how many lines each revision logged
  std::vector<ReplayDifference> differences;
  struct Malformed {
    size_t line = 0;
    std::string problem;
  };
  std::vector<Malformed> malformed;  // lines that are not decision log lines
};

void Replay(std::istream& log, const api::PolicySet& set, ReplayReport* report);

}  // namespace policy::server

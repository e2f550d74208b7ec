// What the HTTP layer (http_server) and the decision service (decision_service) exchange: a
// request already read and a response to write, as plain values. The service never sees a
// socket, so every endpoint and error is testable by calling it (tests/unit/server).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace policy::server {

struct HttpRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // "/v1/decisions/hk.entry.eligible?x=1"
  std::string_view authorization;
  std::string_view body;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace policy::server

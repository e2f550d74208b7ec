// The error answers of `policy serve` (docs/server.md, "Errors"): an HTTP status and the object
// `{"error": {"code", "message", "path"}}`. Case and evaluation errors keep the engine's
// diagnostic code (E0903, E0910, ...); errors of the server itself have S codes (S0401, ...).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "policy/policy.hpp"

namespace policy::server {

struct Failure {
  int status = 500;
  std::string code;
  std::string message;
  std::string path;  // a JSON path: into the case for case errors, into the request body otherwise
};

// The HTTP status of an API error, with its first error diagnostic as code, message and path.
auto FromApiError(const api::Error& error) -> Failure;

auto ErrorObject(const Failure& f) -> nlohmann::ordered_json;
// `{"error": {...}}` as compact JSON.
auto ErrorJson(const Failure& f) -> std::string;

// Compact JSON that never throws: invalid UTF-8 (a message can quote a client's bytes) is
// replaced rather than refused, as nlohmann's dump would.
auto Dump(const nlohmann::ordered_json& j) -> std::string;
// `text` as a JSON string literal.
auto Quote(std::string_view text) -> std::string;

}  // namespace policy::server

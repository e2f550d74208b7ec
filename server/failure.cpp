#include "server/failure.h"

namespace policy::server {

auto Dump(const nlohmann::ordered_json& j) -> std::string {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

auto Quote(std::string_view text) -> std::string {
  return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

auto ErrorObject(const Failure& f) -> nlohmann::ordered_json {
  nlohmann::ordered_json e;
  e["code"] = f.code;
  e["message"] = f.message;
  if (!f.path.empty()) {
    e["path"] = f.path;
  }
  return e;
}

auto ErrorJson(const Failure& f) -> std::string {
  nlohmann::ordered_json j;
  j["error"] = ErrorObject(f);
  return Dump(j);
}

auto FromApiError(const api::Error& error) -> Failure {
  Failure f;
  switch (error.code) {
    case api::ErrorCode::kInvalidInput:
    case api::ErrorCode::kTypeMismatch:
    case api::ErrorCode::kIncompleteFacts:
    case api::ErrorCode::kInvalidArgument:
      f.status = 400;
      break;
    case api::ErrorCode::kNotFound:
      f.status = 404;
      break;
    case api::ErrorCode::kEvaluationFailed:
      f.status = 422;
      break;
    default:
      f.status = 500;
      break;
  }
  for (const api::Diagnostic& d : error.diagnostics) {
    if (d.severity == api::Severity::kError) {
      f.code = d.code;
      f.message = d.message;
      f.path = d.json_path;
      return f;
    }
  }
  f.code = f.status == 500 ? "S0500" : "S0400";
  f.message = error.message;
  return f;
}

}  // namespace policy::server

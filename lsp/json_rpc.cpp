#include "lsp/json_rpc.h"

#include <fmt/format.h>

#include <charconv>

namespace policy::lsp {

namespace {

auto EqualsIgnoreCase(std::string_view a, std::string_view b) -> bool {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

auto Trim(std::string_view s) -> std::string_view {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

auto MessageFramer::Fail(std::string error) -> Frame {
  failed_ = true;
  Frame f;
  f.kind = Frame::Kind::kError;
  f.error = std::move(error);
  return f;
}

auto MessageFramer::Next() -> std::optional<Frame> {
  if (failed_) {
    return std::nullopt;
  }
  // Drop what earlier messages used, so that the buffer does not grow with the session.
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  const std::string_view rest = std::string_view(buffer_).substr(consumed_);
  const size_t end = rest.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (rest.size() > limits_.max_header_bytes) {
      return Fail(fmt::format("no end of the message header within {} bytes", limits_.max_header_bytes));
    }
    return std::nullopt;
  }
  if (end > limits_.max_header_bytes) {
    return Fail(fmt::format("message header longer than {} bytes", limits_.max_header_bytes));
  }
  std::optional<size_t> length;
  std::string_view headers = rest.substr(0, end);
  while (!headers.empty()) {
    const size_t eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Fail(fmt::format("malformed header line `{}`", line.substr(0, 80)));
    }
    const std::string_view name = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Length")) {
      size_t n = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || value.empty()) {
        return Fail(fmt::format("Content-Length `{}` is not a number", value.substr(0, 40)));
      }
      length = n;
    }
    // Content-Type and unknown headers are accepted and ignored, as the protocol asks.
  }
  if (!length) {
    return Fail("message header without Content-Length");
  }
  if (*length > limits_.max_content_bytes) {
    return Fail(fmt::format("message of {} bytes; the limit is {}", *length, limits_.max_content_bytes));
  }
  if (rest.size() - end - 4 < *length) {
    return std::nullopt;
  }
  Frame f;
  f.body = std::string(rest.substr(end + 4, *length));
  consumed_ += end + 4 + *length;
  return f;
}

auto FrameMessage(std::string_view body) -> std::string {
  std::string out = fmt::format("Content-Length: {}\r\n\r\n", body.size());
  out.append(body);
  return out;
}

}  // namespace policy::lsp

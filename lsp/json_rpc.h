// The base protocol of the Language Server Protocol: messages framed by a `Content-Length`
// header on a byte stream (stdin/stdout), each a JSON-RPC 2.0 request, response or notification.
//
// MessageFramer only splits bytes into message bodies; it knows nothing of JSON, so a fuzzer and
// the unit tests can feed it any bytes. A framing error cannot be recovered from (nothing says
// where the next message starts), so it ends the stream; a body that is not JSON is answered with
// a JSON-RPC error by the server and the stream goes on.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace policy::lsp {

struct FramingLimits {
  size_t max_header_bytes = 8 * 1024;           // all header lines of one message
  size_t max_content_bytes = 64 * 1024 * 1024;  // one body: several 4 MiB documents and their JSON
};

struct Frame {
  enum class Kind { kMessage, kError } kind = Kind::kMessage;
  std::string body;   // kMessage: the JSON text
  std::string error;  // kError: what was wrong, for the server's log
};

class MessageFramer {
 public:
  explicit MessageFramer(FramingLimits limits = {}) : limits_(limits) {}

  // Appends bytes read from the stream.
  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete message, or an error (after which the framer stays failed), or nullopt when
  // more bytes are needed.
  auto Next() -> std::optional<Frame>;
  // Bytes received but not yet part of a complete message (at end of stream: a message cut off).
  auto pending() const -> size_t { return buffer_.size() - consumed_; }

 private:
  auto Fail(std::string error) -> Frame;
  FramingLimits limits_;
  std::string buffer_;
  size_t consumed_ = 0;
  bool failed_ = false;
};

// `Content-Length: N\r\n\r\n` and the body.
auto FrameMessage(std::string_view body) -> std::string;

}  // namespace policy::lsp

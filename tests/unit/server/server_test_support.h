// What the server tests share: a policy directory of their own, a LivePolicySet on it, and a
// minimal HTTP client over a plain socket (so a test can also send what no real client would:
// a request a byte at a time, a malformed request line, a body larger than the limit).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

namespace policy::server::testing {

namespace fs = std::filesystem;

// A one-decision policy: `t.over` is `value_when_over` when hours exceed the limit, and
// `t.conflict` fails with a conflict (E0910) when hours are 13.
inline auto SmallPolicy(int limit, bool broken = false) -> std::string {
  std::string text =
      "module t\n"
      "record Case { hours: Int }\n"
      "/// Does the case work more hours than the limit?\n"
      "decision over(c: Case) -> Bool\n"
      "  source \"Test Ordinance s.1\"\n"
      "  default false\n"
      "  rule r when c.hours > " +
      std::to_string(limit) +
      " then true\n"
      "decision conflict(c: Case) -> Int\n"
      "  default 0\n"
      "  rule a when c.hours == 13 then 1\n"
      "  rule b when c.hours >= 13 then 2\n"
      "decision limit(c: Case) -> Int\n"
      "  rule r when c.hours >= 0 then " +
      std::to_string(limit) + "\n";
  if (broken) {
    text += "decision broken(c: Case) -> Int\n  rule r when c.hours then 1\n";  // E: Int as a condition
  }
  return text;
}

inline void WriteAtomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.parent_path() / (".tmp-" + file.filename().string());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  fs::rename(tmp, file);
}

// A fresh directory under the system's temporary directory, removed at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("policy-server-" + std::to_string(::getpid()) + "-" + name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  auto path() const -> const fs::path& { return path_; }

 private:
  fs::path path_;
};

struct Response {
  int status = 0;
  std::string head;  // status line and header fields
  std::string body;
  auto Header(const std::string& name) const -> std::string {
    const std::string key = "\r\n" + name + ": ";
    const size_t at = head.find(key);
    if (at == std::string::npos) {
      return "";
    }
    const size_t start = at + key.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

// One TCP connection to 127.0.0.1:port.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{10, 0};  // no test waits forever on a server that does not answer
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  auto operator=(const Client&) -> Client& = delete;

  auto connected() const -> bool { return connected_; }

  auto Send(std::string_view bytes) -> bool {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length bodies only, as the server writes). Nullopt when the
  // connection closes or times out first.
  auto Read() -> std::optional<Response> {
    while (true) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        Response r;
        r.head = buffer_.substr(0, end + 2);
        r.status = std::stoi(r.head.substr(9, 3));
        const std::string length = r.Header("Content-Length");
        const size_t size = length.empty() ? 0 : std::stoul(length);
        if (buffer_.size() >= end + 4 + size) {
          r.body = buffer_.substr(end + 4, size);
          buffer_.erase(0, end + 4 + size);
          return r;
        }
      }
      char chunk[16384];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        return std::nullopt;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  // True when the server closed the connection (a read sees the end, not data or a timeout).
  auto Closed() -> bool {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

  auto Request(const std::string& method, const std::string& target, const std::string& body = "",
               const std::string& extra_headers = "") -> std::optional<Response> {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers;
    if (!body.empty() || method == "POST") {
      request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    request += "\r\n" + body;
    if (!Send(request)) {
      return std::nullopt;
    }
    return Read();
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

}  // namespace policy::server::testing

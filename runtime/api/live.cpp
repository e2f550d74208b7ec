// LivePolicySet: hot reload. A watcher thread waits on inotify for changes to the policy files,
// lets a burst of writes settle (editors save through temporary files and renames), compiles and
// tests the new version on its own thread, and publishes it only when it is clean.
//
// Publishing is a pointer swap under a mutex held for a reference-count increment; evaluation
// never takes it. A PolicySet holds its version alive, so an evaluation that started on the old
// version finishes on it while new requests get the new one.
//
// Directories are watched rather than files: an editor that saves by renaming a new file over the
// old one would leave a watch on the file's old inode behind.
#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "runtime/api/api_internal.h"

namespace policy::api {
namespace detail {

struct LiveImpl {
  std::vector<std::string> paths;
  ReloadOptions options;

  mutable std::mutex current_mutex;  // guards `current` (a swap or a copy, nothing longer)
  std::shared_ptr<const SetImpl> current;
  std::atomic<uint64_t> generation{0};

  std::mutex reload_mutex;  // one reload at a time; guards `last_error`
  std::optional<Error> last_error;

  int inotify_fd = -1;
  int stop_fd = -1;
  std::thread watcher;

  // Wakes the watcher and waits for it (it may be finishing a reload).
  void Stop() {
    if (stop_fd >= 0) {
      const uint64_t one = 1;
      [[maybe_unused]] const ssize_t n = ::write(stop_fd, &one, sizeof one);
    }
    if (watcher.joinable()) {
      watcher.join();
    }
  }

  ~LiveImpl() {
    Stop();
    if (inotify_fd >= 0) {
      ::close(inotify_fd);
    }
    if (stop_fd >= 0) {
      ::close(stop_fd);
    }
  }

  auto Watch(const std::filesystem::path& dir) -> std::optional<Error> {
    constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                               IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    if (::inotify_add_watch(inotify_fd, dir.c_str(), kMask) < 0) {
      return MakeError(ErrorCode::kIo,
                       fmt::format("cannot watch `{}`: {}", dir.string(), std::strerror(errno)));
    }
    return std::nullopt;
  }

  // Watches each directory given, its subdirectories, and the directory of each file given.
  auto WatchAll() -> std::optional<Error> {
    namespace fs = std::filesystem;
    for (const std::string& p : paths) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        if (auto e = Watch(p)) {
          return e;
        }
        for (auto it = fs::recursive_directory_iterator(p, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
          if (it->is_directory(ec)) {
            if (auto e = Watch(it->path())) {
              return e;
            }
          }
        }
      } else {
        const fs::path parent = fs::absolute(p, ec).parent_path();
        if (auto e = Watch(parent)) {
          return e;
        }
      }
    }
    return std::nullopt;
  }

  // Reads pending events; true when one concerns policy files (or a new directory, now watched).
  auto DrainEvents() -> bool {
    alignas(inotify_event) char buffer[16 * 1024];
    bool relevant = false;
    while (true) {
      const ssize_t n = ::read(inotify_fd, buffer, sizeof buffer);
      if (n <= 0) {
        return relevant;
      }
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        const std::string_view name = event->len > 0 ? std::string_view(event->name) : std::string_view();
        if ((event->mask & IN_ISDIR) != 0 ||
            (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW)) != 0 ||
            name.ends_with(".policy")) {
          relevant = true;
        }
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  }

  void Run(LivePolicySet& owner) {
    pollfd fds[2] = {{stop_fd, POLLIN, 0}, {inotify_fd, POLLIN, 0}};
    while (true) {
      fds[0].revents = fds[1].revents = 0;
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) {
          continue;
        }
        return;
      }
      if ((fds[0].revents & POLLIN) != 0) {
        return;
      }
      if (!DrainEvents()) {
        continue;
      }
      // Let the burst settle: wait until no event has come for `debounce`.
      while (true) {
        fds[0].revents = fds[1].revents = 0;
        const int ready = ::poll(fds, 2, static_cast<int>(options.debounce.count()));
        if (ready <= 0 || (fds[0].revents & POLLIN) != 0) {
          break;
        }
        DrainEvents();
      }
      if ((fds[0].revents & POLLIN) != 0) {
        return;
      }
      // New subdirectories get watches; watching one twice is harmless.
      WatchAll();
      owner.ReloadNow();
    }
  }
};

}  // namespace detail

LivePolicySet::LivePolicySet() : impl_(std::make_unique<detail::LiveImpl>()) {}

LivePolicySet::~LivePolicySet() {
  impl_->Stop();
}

auto LivePolicySet::Start(const std::vector<std::string>& paths, ReloadOptions options)
    -> Result<std::unique_ptr<LivePolicySet>> {
  auto initial = PolicySet::Load(paths, options.load);
  if (!initial && !options.start_without_valid_set) {
    return initial.error();
  }
  std::unique_ptr<LivePolicySet> live(new LivePolicySet());
  detail::LiveImpl& impl = *live->impl_;
  impl.paths = paths;
  impl.options = std::move(options);
  if (initial) {
    impl.current = detail::SetImpl::Impl(*initial);
    impl.generation = 1;
  } else {
    impl.last_error = initial.error();  // current stays empty until a clean reload
  }
  impl.inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  impl.stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl.inotify_fd < 0 || impl.stop_fd < 0) {
    return detail::MakeError(ErrorCode::kIo,
                             fmt::format("cannot start watching files: {}", std::strerror(errno)));
  }
  if (auto error = impl.WatchAll()) {
    return *error;
  }
  LivePolicySet* raw = live.get();
  try {
    impl.watcher = std::thread([raw] { raw->impl_->Run(*raw); });
  } catch (const std::system_error& e) {
    return detail::MakeError(ErrorCode::kIo, fmt::format("cannot start the watcher thread: {}", e.what()));
  }
  return live;
}

auto LivePolicySet::current() const -> PolicySet {
  std::lock_guard lock(impl_->current_mutex);
  return detail::SetImpl::Wrap(impl_->current);
}

auto LivePolicySet::generation() const -> uint64_t {
  return impl_->generation.load(std::memory_order_acquire);
}

auto LivePolicySet::last_error() const -> std::optional<Error> {
  std::lock_guard lock(impl_->reload_mutex);
  return impl_->last_error;
}

auto LivePolicySet::ReloadNow() -> ReloadEvent {
  ReloadEvent event;
  {
    std::lock_guard lock(impl_->reload_mutex);
    // Compiled and tested here, on the caller's thread; evaluations keep using `current`.
    auto next = PolicySet::Load(impl_->paths, impl_->options.load);
    if (next) {
      {
        std::lock_guard swap(impl_->current_mutex);
        impl_->current = detail::SetImpl::Impl(*next);
      }
      impl_->generation.fetch_add(1, std::memory_order_acq_rel);
      impl_->last_error.reset();
      event.swapped = true;
      event.version = next->version();
    } else {
      impl_->last_error = next.error();
      event.error = next.error();
      std::lock_guard lock_current(impl_->current_mutex);
      event.version = impl_->current ? impl_->current->version : 0;
    }
  }
  if (impl_->options.on_reload) {
    impl_->options.on_reload(event);
  }
  return event;
}

}  // namespace policy::api

#include "files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "util/error.h"

namespace trm::cli {

std::ifstream open_input(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError("cannot open " + path + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open " + path + ": " + std::strerror(errno));
  return in;
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

namespace {

void write_all_ignoring_errors(int fd, const std::string& data) {
  // The pid is for messages only: a short write leaves the lock itself intact.
  if (::pwrite(fd, data.data(), data.size(), 0) < 0) return;
}

// What a path is when it is not a regular file ("a directory", "a FIFO", ...); empty for a regular file or a
// path that does not exist. lstat: a symbolic link is not followed (rename would replace the link itself).
std::string non_regular_kind(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "";
  if (S_ISREG(st.st_mode)) return "";
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISLNK(st.st_mode)) return "a symbolic link";
  return "not a regular file";
}

void refuse_non_regular(const std::string& path) {
  const std::string kind = non_regular_kind(path);
  if (!kind.empty())
    throw InputError(path + " is " + kind + ", not a regular file; only regular files are replaced (--force or not)");
}

}  // namespace

void refuse_overwrite(const std::string& path, bool force) {
  refuse_non_regular(path);
  if (!force && file_exists(path)) throw InputError(path + " exists; pass --force to overwrite it");
}

void make_directories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw InputError("cannot create directory " + path + ": " + ec.message());
}

FolderLock::FolderLock(const std::string& dir) {
  const std::string path = dir + "/.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw InputError("cannot lock " + dir + ": cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char text[32] = {};
    const ssize_t n = ::pread(fd_, text, sizeof text - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) throw InputError("cannot lock " + dir + ": " + std::strerror(error));
    std::string pid = n > 0 ? std::string(text, static_cast<size_t>(n)) : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) pid = "unknown";
    throw InputError(dir + " is in use by another trm process (pid " + pid + "); wait for it to end or stop it");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) write_all_ignoring_errors(fd_, pid);
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays (removing it would race with a new holder)
}

namespace {

void write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError("cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
}

void sync_directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// DIR/.NAME.tmp.PID for the target DIR/NAME.
std::string temporary_name(const std::string& path) {
  const std::filesystem::path target(path);
  return (target.parent_path() / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
}

// Whether `name` is a temporary of write_atomically (".NAME.tmp.PID") left by a process that no longer runs;
// `target` (when not empty) restricts the match to one target file name.
bool is_stale_temporary(const std::string& name, const std::string& target) {
  const size_t mark = name.rfind(".tmp.");
  if (name.size() < 2 || name[0] != '.' || mark == std::string::npos || mark < 2) return false;
  if (!target.empty() && name.compare(1, mark - 1, target) != 0) return false;
  const std::string digits = name.substr(mark + 5);
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto pid = static_cast<pid_t>(std::stol(digits));
  if (pid == ::getpid()) return true;  // a killed process had our pid: we are not writing it now
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

int remove_matching_temporaries(const std::string& dir, const std::string& target) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec)) {
    if (is_stale_temporary(entry.path().filename().string(), target) && std::filesystem::remove(entry.path(), ec))
      ++removed;
  }
  return removed;
}

}  // namespace

int remove_stale_temporaries(const std::string& dir) { return remove_matching_temporaries(dir, ""); }

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ostringstream buffer;
  write(buffer);
  const std::string data = buffer.str();
  const std::filesystem::path target(path);
  remove_matching_temporaries(target.parent_path().string(), target.filename().string());
  const std::string temporary = temporary_name(path);
  // Messages name the target: the temporary is our business, not the user's.
  refuse_non_regular(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError("cannot write " + path + ": " + std::strerror(errno));
  try {
    write_all(fd, data, path);
    if (::fsync(fd) != 0) throw InputError("cannot write " + path + ": flush failed: " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    std::remove(temporary.c_str());
    throw;
  }
  ::close(fd);
  // Checked again just before the rename: the target may have changed while we wrote (a FIFO made meanwhile).
  try {
    refuse_non_regular(path);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temporary.c_str());
    throw InputError("cannot replace " + path + ": " + reason);
  }
  sync_directory_of(path);
}

}  // namespace trm::cli

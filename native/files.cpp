#include "files.h"

#include <fcntl.h>
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

void refuse_overwrite(const std::string& path, bool force) {
  if (!force && file_exists(path)) throw InputError(path + " exists; pass --force to overwrite it");
}

void make_directories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw InputError("cannot create directory " + path + ": " + ec.message());
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
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError("cannot create " + temporary + ": " + std::strerror(errno));
  try {
    write_all(fd, data, temporary);
    if (::fsync(fd) != 0) throw InputError("cannot flush " + temporary + ": " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    std::remove(temporary.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temporary.c_str());
    throw InputError("cannot replace " + path + ": " + reason);
  }
  sync_directory_of(path);
}

}  // namespace trm::cli

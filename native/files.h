#pragma once
// File access for the CLI, with messages that name the file and the reason, and atomic writes:
// a file is written to a temporary sibling, flushed to disk (fsync), then renamed over the target,
// so a crash or a kill at any moment leaves either the old file or the new one, never half of one.
#include <fstream>
#include <functional>
#include <ostream>
#include <string>

namespace trm::cli {

// Opens for reading or throws InputError "cannot open PATH: reason".
std::ifstream open_input(const std::string& path);
bool file_exists(const std::string& path);
// Throws InputError when `path` exists and !force ("PATH exists; pass --force to overwrite"), and whatever
// `force` says when it exists but is not a regular file (a device, a FIFO, a directory, a symbolic link): only
// regular files are ever replaced.
void refuse_overwrite(const std::string& path, bool force);
// Writes through `write` into PATH atomically (see above). On any failure the temporary file is
// removed and the target is untouched; messages name PATH, never the temporary. A PATH that exists and is
// not a regular file is refused (see refuse_overwrite). The temporary is a hidden sibling, DIR/.NAME.tmp.PID; one left by
// a killed process is removed by the next write of the same target (or by remove_stale_temporaries).
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);
// Removes the temporaries of write_atomically in `dir` whose process is gone (killed mid-write).
// Returns how many were removed.
int remove_stale_temporaries(const std::string& dir);
void make_directories(const std::string& path);

// An exclusive lock on a folder in use (a training run): flock on DIR/.lock, which holds the holder's pid. The
// kernel drops the lock when its process ends however it ends, so a lock left by a killed process is stale by
// construction and the next one takes it over. Throws InputError "DIR is in use by another trm process (pid N)"
// at once when another process holds it.
class FolderLock {
 public:
  explicit FolderLock(const std::string& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace trm::cli

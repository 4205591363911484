// write_lock.cpp - the local store's cross-process write lock (write_lock.h).
#include "local/write_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"

namespace rgw::local {

WriteLock::WriteLock(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) fail_errno(errno, "open " + path);
}

WriteLock::~WriteLock() { ::close(fd_); }

void WriteLock::lock() {
  while (::flock(fd_, LOCK_EX) != 0)
    if (errno != EINTR) fail_errno(errno, "lock the store's write.lock");
}

void WriteLock::unlock() { ::flock(fd_, LOCK_UN); }

}  // namespace rgw::local

// shared_counter.cpp - the mapping of the store's shared words
// (shared_counter.h).
#include "local/shared_counter.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"

namespace rgw::local {

namespace {
constexpr size_t kSize = 4096;  // one page; the words are its first bytes
}

SharedWords::SharedWords(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) fail_errno(errno, "open " + path);
  // Extending to a page is idempotent: concurrent openers agree, and the
  // new bytes read as zero.
  if (::ftruncate(fd, kSize) < 0) {
    int err = errno;
    ::close(fd);
    fail_errno(err, "size " + path);
  }
  void* p = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) fail_errno(err, "map " + path);
  words_ = static_cast<uint64_t*>(p);
}

SharedWords::~SharedWords() {
  if (words_) ::munmap(words_, kSize);
}

}  // namespace rgw::local

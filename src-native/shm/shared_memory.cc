#include "shm/shared_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>

#include "shm/fault_guard.h"

namespace heddle::shm {
namespace {
std::atomic<int64_t> live_mappings{0};
}  // namespace

Outcome MappedRegion::Map(int fd, uint64_t size) {
  Unmap();
  if (size == 0) return Outcome::Fail(Status::kInvalidArgument, "map an empty region");
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return Outcome::Fail(Status::kSystemError, "mmap", errno);
  // Unguarded, a peer's ftruncate would turn our next access into a fatal SIGBUS: refuse instead.
  guard_slot_ = GuardMapping(p, size);
  if (guard_slot_ < 0) {
    munmap(p, size);
    return Outcome::Fail(Status::kSystemError, "too many shared-memory mappings to guard against truncation");
  }
  data_ = static_cast<uint8_t*>(p);
  size_ = size;
  retired_ = false;
  live_mappings.fetch_add(1, std::memory_order_relaxed);
  return Outcome::Ok();
}

void MappedRegion::Retire() {
  if (data_ == nullptr || retired_) return;
  // MAP_FIXED replaces the shared pages atomically; if even that fails the mapping stays shared
  // (never unmapped under a live view) and is released by Unmap() later.
  void* p = mmap(data_, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (p == MAP_FAILED) return;
  // Private zero pages cannot fault: the guard is no longer needed.
  UnguardMapping(guard_slot_);
  guard_slot_ = -1;
  retired_ = true;
  live_mappings.fetch_sub(1, std::memory_order_relaxed);
}

void MappedRegion::Unmap() {
  if (data_ == nullptr) return;
  // Unregistered first, so the guard never touches an address range that munmap has given back.
  UnguardMapping(guard_slot_);
  guard_slot_ = -1;
  munmap(data_, size_);
  if (!retired_) live_mappings.fetch_sub(1, std::memory_order_relaxed);
  data_ = nullptr;
  size_ = 0;
  retired_ = false;
}

bool MappedRegion::poisoned() const { return MappingPoisoned(guard_slot_); }

int64_t MappedRegion::LiveCount() { return live_mappings.load(std::memory_order_relaxed); }

Outcome CreateMemfd(const std::string& name, uint64_t size, int* fd) {
  const int f = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (f < 0) return Outcome::Fail(Status::kSystemError, "memfd_create", errno);
  if (ftruncate(f, static_cast<off_t>(size)) != 0) {
    const int e = errno;
    close(f);
    return Outcome::Fail(Status::kSystemError, "ftruncate memfd", e);
  }
  if (fcntl(f, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    const int e = errno;
    close(f);
    return Outcome::Fail(Status::kSystemError, "seal memfd", e);
  }
  *fd = f;
  return Outcome::Ok();
}

Outcome CreateShmFile(const std::string& path, uint64_t size, uint32_t mode, int* fd) {
  const int f = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (f < 0) return Outcome::Fail(Status::kSystemError, "create shared-memory file", errno);
  // The umask may have narrowed `mode`; a group-shared file must get exactly what was asked.
  if (fchmod(f, mode) != 0 || ftruncate(f, static_cast<off_t>(size)) != 0) {
    const int e = errno;
    close(f);
    unlink(path.c_str());
    return Outcome::Fail(Status::kSystemError, "size shared-memory file", e);
  }
  *fd = f;
  return Outcome::Ok();
}

Outcome OpenPeerFile(const std::string& path, uint32_t owner_uid, uint64_t max_size, int* fd, uint64_t* size) {
  if (path.empty() || path[0] != '/' || path.find("/../") != std::string::npos) {
    return Outcome::Fail(Status::kPeerViolation, "peer sent a relative or dotted shared-memory path");
  }
  const int f = open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (f < 0) return Outcome::Fail(Status::kSystemError, "open the peer's shared-memory file", errno);
  struct stat st;
  if (fstat(f, &st) != 0) {
    const int e = errno;
    close(f);
    return Outcome::Fail(Status::kSystemError, "stat the peer's shared-memory file", e);
  }
  if (!S_ISREG(st.st_mode) || st.st_uid != owner_uid) {
    close(f);
    return Outcome::Fail(Status::kPeerViolation, "peer's shared-memory file is not a regular file it owns");
  }
  if (st.st_size <= 0 || static_cast<uint64_t>(st.st_size) > max_size) {
    close(f);
    return Outcome::Fail(Status::kPeerViolation, "peer's shared-memory file size is out of range");
  }
  *fd = f;
  *size = static_cast<uint64_t>(st.st_size);
  return Outcome::Ok();
}

Outcome PeerMemfdSize(int fd, uint64_t max_size, uint64_t* size) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Outcome::Fail(Status::kSystemError, "stat the peer's memfd", errno);
  if (!S_ISREG(st.st_mode) || st.st_size <= 0 || static_cast<uint64_t>(st.st_size) > max_size) {
    return Outcome::Fail(Status::kPeerViolation, "peer's memfd is not a regular file of an acceptable size");
  }
  *size = static_cast<uint64_t>(st.st_size);
  return Outcome::Ok();
}

int RemoveStaleFiles(const std::string& prefix) {
  const size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return 0;
  const std::string dir = slash == 0 ? "/" : prefix.substr(0, slash);
  const std::string stem = prefix.substr(slash + 1) + "_";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return 0;
  int removed = 0;
  const uid_t me = geteuid();
  while (dirent* entry = readdir(d)) {
    const std::string name = entry->d_name;
    if (name.size() <= stem.size() || name.compare(0, stem.size(), stem) != 0) continue;
    const char* digits = name.c_str() + stem.size();
    char* end = nullptr;
    errno = 0;
    const long pid = std::strtol(digits, &end, 10);
    if (end == digits || *end != '_' || errno != 0 || pid <= 0) continue;
    // A live process (or one we may not signal) keeps its files.
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    struct stat st;
    if (fstatat(dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISREG(st.st_mode) || st.st_uid != me) continue;
    if (unlinkat(dirfd(d), name.c_str(), 0) == 0) ++removed;
  }
  closedir(d);
  return removed;
}

}  // namespace heddle::shm

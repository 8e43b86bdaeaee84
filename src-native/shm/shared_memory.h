// Creating, opening, mapping and cleaning up the memory a session shares: memfds (protocol v3)
// and files under /dev/shm (protocol v2).
#pragma once

#include <cstdint>
#include <string>

#include "shm/status.h"

namespace heddle::shm {

// One MAP_SHARED mapping. Unmap() releases it; Retire() instead swaps the pages for private zero
// pages at the same address, for a mapping JavaScript may still reference (the shared memory is
// released all the same, and a late read sees zeros instead of faulting). While shared, the mapping
// is registered with the SIGBUS guard (fault_guard.h): if the peer truncates the memory, accesses
// read zeros and poisoned() turns true instead of the process dying.
class MappedRegion {
 public:
  MappedRegion() = default;
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;
  ~MappedRegion() { Unmap(); }

  Outcome Map(int fd, uint64_t size);
  void Unmap();
  void Retire();

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  bool shared() const { return data_ != nullptr && !retired_; }
  // The peer truncated the memory under this mapping (some of it now reads as zeros).
  bool poisoned() const;

  // Mappings of shared memory alive in this process (tests check that sessions unmap).
  static int64_t LiveCount();

 private:
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  bool retired_ = false;
  int guard_slot_ = -1;
};

// A memfd of `size` bytes named `name`, sealed against shrinking so a peer cannot make our own
// accesses fault by truncating it.
Outcome CreateMemfd(const std::string& name, uint64_t size, int* fd);
// A new file of `size` bytes at `path` (O_EXCL, mode `mode`).
Outcome CreateShmFile(const std::string& path, uint64_t size, uint32_t mode, int* fd);
// Opens a file the peer created: a regular file owned by `owner_uid`, not a symlink, at most
// `max_size` bytes.
Outcome OpenPeerFile(const std::string& path, uint32_t owner_uid, uint64_t max_size, int* fd, uint64_t* size);
// The size of a memfd the peer sent, at most `max_size`.
Outcome PeerMemfdSize(int fd, uint64_t max_size, uint64_t* size);

// Removes files named `<prefix>_<pid>_*` (in the directory of `prefix`) that belong to this user and
// whose process `pid` no longer exists: what a crashed heddle client left under /dev/shm.
int RemoveStaleFiles(const std::string& prefix);

}  // namespace heddle::shm

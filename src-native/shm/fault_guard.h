// The SIGBUS guard over mappings of a peer's memory. A peer may ftruncate a file or memfd it shared
// after we mapped it (shmipc-go does not seal its memfds), and the next access beyond the new end
// raises SIGBUS, which would kill the whole process. A process-wide handler, installed once, looks
// the faulting address up in a lock-free registry of guarded mappings; when it lies in one, it maps
// private zero pages over the rest of that mapping (the faulting instruction resumes and reads
// zeros) and marks the mapping poisoned. Sessions check the mark after each batch of accesses.
// Other SIGBUS signals go to the handler that was installed before ours.
#pragma once

#include <cstddef>

namespace heddle::shm {

// Registers [base, base + length) (base page-aligned, as mmap returns it) and installs the handler
// on first use. Returns the registration slot, or -1 when the registry is full or the handler could
// not be installed (the caller must not map unguarded peer memory then).
int GuardMapping(void* base, size_t length);
// Forgets a registration; call before the pages are unmapped or stop being shared.
void UnguardMapping(int slot);
// Whether a SIGBUS inside the registered mapping was absorbed: the peer truncated its memory.
bool MappingPoisoned(int slot);
// Mappings registered now (tests check that sessions unregister).
int GuardedMappingCount();

}  // namespace heddle::shm

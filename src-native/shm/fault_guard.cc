#include "shm/fault_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>

namespace heddle::shm {
namespace {

// Two mappings per session; this many sessions at once is far beyond what one process serves.
constexpr int kSlotCount = 4096;

enum SlotState : uint32_t { kFree = 0, kBusy = 1, kActive = 2 };

// Everything the handler reads is a lock-free atomic, so it never waits on a thread it interrupted.
struct Slot {
  std::atomic<uint32_t> state{kFree};
  std::atomic<uintptr_t> base{0};
  std::atomic<uintptr_t> length{0};
  std::atomic<uint32_t> poisoned{0};
};
static_assert(std::atomic<uintptr_t>::is_always_lock_free && std::atomic<uint32_t>::is_always_lock_free);

Slot slots[kSlotCount];
std::atomic<int> active_count{0};
struct sigaction previous_action;
uintptr_t page_mask = 0;
std::once_flag install_once;
bool installed = false;

// Hands the signal to whoever handled SIGBUS before us. With the default action (or ignored, which
// the kernel overrides for faults) the default is restored: a fault re-executes and kills the
// process as it would have without us; a SIGBUS sent with kill() is re-raised.
void ChainToPrevious(int signo, siginfo_t* info, void* context) {
  if ((previous_action.sa_flags & SA_SIGINFO) != 0) {
    if (previous_action.sa_sigaction != nullptr) previous_action.sa_sigaction(signo, info, context);
    return;
  }
  const bool sent = info == nullptr || info->si_code <= 0;
  if (previous_action.sa_handler == SIG_IGN && sent) return;
  if (previous_action.sa_handler == SIG_DFL || previous_action.sa_handler == SIG_IGN) {
    struct sigaction fallback = {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signo, &fallback, nullptr);
    if (sent) raise(signo);
    return;
  }
  previous_action.sa_handler(signo);
}

void OnSigbus(int signo, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  // si_code > 0: raised by the kernel for a memory access, so si_addr is the faulting address.
  if (info != nullptr && info->si_code > 0) {
    const uintptr_t address = reinterpret_cast<uintptr_t>(info->si_addr);
    for (Slot& slot : slots) {
      if (slot.state.load(std::memory_order_acquire) != kActive) continue;
      const uintptr_t base = slot.base.load(std::memory_order_relaxed);
      const uintptr_t length = slot.length.load(std::memory_order_relaxed);
      if (address < base || address - base >= length) continue;
      // From the faulting page to the end: the pages before it are still backed by the file.
      const uintptr_t page = address & page_mask;
      void* replaced = mmap(reinterpret_cast<void*>(page), base + length - page, PROT_READ | PROT_WRITE,
                            MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (replaced == MAP_FAILED) break;  // cannot repair: let the previous handler decide
      slot.poisoned.store(1, std::memory_order_release);
      errno = saved_errno;
      return;
    }
  }
  errno = saved_errno;
  ChainToPrevious(signo, info, context);
}

void Install() {
  page_mask = ~(static_cast<uintptr_t>(sysconf(_SC_PAGESIZE)) - 1);
  struct sigaction action = {};
  action.sa_sigaction = OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  installed = sigaction(SIGBUS, &action, &previous_action) == 0;
}

}  // namespace

int GuardMapping(void* base, size_t length) {
  std::call_once(install_once, Install);
  if (!installed) return -1;
  const uintptr_t rounded = (static_cast<uintptr_t>(length) + ~page_mask) & page_mask;
  for (int i = 0; i < kSlotCount; ++i) {
    uint32_t expected = kFree;
    if (!slots[i].state.compare_exchange_strong(expected, kBusy, std::memory_order_acquire)) continue;
    slots[i].base.store(reinterpret_cast<uintptr_t>(base), std::memory_order_relaxed);
    slots[i].length.store(rounded, std::memory_order_relaxed);
    slots[i].poisoned.store(0, std::memory_order_relaxed);
    slots[i].state.store(kActive, std::memory_order_release);
    active_count.fetch_add(1, std::memory_order_relaxed);
    return i;
  }
  return -1;
}

void UnguardMapping(int slot) {
  if (slot < 0 || slot >= kSlotCount) return;
  slots[slot].state.store(kBusy, std::memory_order_release);
  slots[slot].base.store(0, std::memory_order_relaxed);
  slots[slot].length.store(0, std::memory_order_relaxed);
  slots[slot].state.store(kFree, std::memory_order_release);
  active_count.fetch_sub(1, std::memory_order_relaxed);
}

bool MappingPoisoned(int slot) {
  return slot >= 0 && slot < kSlotCount && slots[slot].poisoned.load(std::memory_order_acquire) != 0;
}

int GuardedMappingCount() { return active_count.load(std::memory_order_relaxed); }

}  // namespace heddle::shm

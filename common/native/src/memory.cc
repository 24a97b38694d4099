// Releasing resident pages the process no longer needs (see common/src/memory for when and which).
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>

#include "errno-error.h"
#include "exports.h"

namespace meshnet {

namespace {

uint64_t BigIntArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsBigInt()) ThrowType(info.Env(), std::string("dropPages: ") + name + " must be a bigint");
  bool lossless = false;
  uint64_t v = info[i].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) ThrowType(info.Env(), std::string("dropPages: ") + name + " is out of range");
  return v;
}

// dropPages(start: bigint, length: bigint): madvise(MADV_DONTNEED) on a page-aligned range. The caller only
// passes read-only private file mappings with no copied-on-write pages, whose contents the kernel reads back
// from the file on the next access.
Napi::Value DropPages(const Napi::CallbackInfo& info) {
  uint64_t start = BigIntArg(info, 0, "start");
  uint64_t length = BigIntArg(info, 1, "length");
  if (madvise(reinterpret_cast<void*>(static_cast<uintptr_t>(start)), static_cast<size_t>(length), MADV_DONTNEED) != 0) {
    ThrowErrno(info.Env(), "madvise(MADV_DONTNEED)", errno);
  }
  return info.Env().Undefined();
}

// trimHeap(): malloc_trim(0). glibc's free() gives back only the top of the main heap; this also returns the
// free pages inside every arena (socket, TLS and HTTP/2 buffers of a finished burst). True when any was returned.
Napi::Value TrimHeap(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), malloc_trim(0) != 0);
}

}  // namespace

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("dropPages", Napi::Function::New(env, DropPages, "dropPages"));
  exports.Set("trimHeap", Napi::Function::New(env, TrimHeap, "trimHeap"));
}

}  // namespace meshnet

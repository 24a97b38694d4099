// Entry point of the mesh_net addon: socket plumbing Node has no API for (see the TypeScript wrapper in
// common/src/net for the documented surface).
#include <napi.h>

#include "exports.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  meshnet::InitNetns(env, exports);
  meshnet::InitTcp(env, exports);
  meshnet::InitSockopt(env, exports);
  meshnet::InitSeqpacket(env, exports);
  meshnet::InitFdWatcher(env, exports);
  meshnet::InitMemory(env, exports);
  meshnet::InitHboneSession(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(mesh_net, Init)

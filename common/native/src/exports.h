// Registration functions of the addon's parts; each adds its functions to the module's exports.
#pragma once

#include <napi.h>

namespace meshnet {

void InitNetns(Napi::Env env, Napi::Object exports);
void InitTcp(Napi::Env env, Napi::Object exports);
void InitSockopt(Napi::Env env, Napi::Object exports);
void InitSeqpacket(Napi::Env env, Napi::Object exports);
void InitFdWatcher(Napi::Env env, Napi::Object exports);
void InitMemory(Napi::Env env, Napi::Object exports);
void InitHboneSession(Napi::Env env, Napi::Object exports);

}  // namespace meshnet

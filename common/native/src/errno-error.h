// Errors thrown to JavaScript from the addon. System call failures carry the errno name in `code`
// (like Node's own system errors) so the TypeScript side can branch on ECONNREFUSED, EAGAIN, ...
#pragma once

#include <napi.h>

#include <string>

namespace meshnet {

// Builds `<call> failed: <ENAME> (<strerror>)` with code/errno/syscall set.
Napi::Error ErrnoError(Napi::Env env, const char* call, int err);

// Same properties, with a caller-written message (for failures that need more detail than strerror).
Napi::Error ErrnoError(Napi::Env env, const char* call, int err, const std::string& message);

// Throws ErrnoError as a C++ exception (node-addon-api turns it into a JS exception).
[[noreturn]] void ThrowErrno(Napi::Env env, const char* call, int err);

// Throws a TypeError naming the bad argument.
[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);

}  // namespace meshnet

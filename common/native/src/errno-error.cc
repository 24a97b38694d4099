#include "errno-error.h"

#include <string.h>

#include <string>

namespace meshnet {

namespace {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : "E" + std::to_string(err);
}

}  // namespace

Napi::Error ErrnoError(Napi::Env env, const char* call, int err) {
  std::string message = std::string(call) + " failed: " + ErrnoName(err) + " (" + strerror(err) + ")";
  return ErrnoError(env, call, err, message);
}

Napi::Error ErrnoError(Napi::Env env, const char* call, int err, const std::string& message) {
  std::string code = ErrnoName(err);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -err));
  // `syscall` is the bare name ("setns"); the message keeps the detail ("setns(CLONE_NEWNET)").
  std::string syscall(call);
  syscall = syscall.substr(0, syscall.find('('));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

void ThrowErrno(Napi::Env env, const char* call, int err) {
  throw ErrnoError(env, call, err);
}

void ThrowType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

}  // namespace meshnet

#include "options.h"

#include <cmath>

#include "errno-error.h"

namespace meshnet {

namespace {

bool IsAbsent(const Napi::Value& v) { return v.IsUndefined(); }

int64_t CheckedInt(Napi::Env env, const Napi::Value& v, const std::string& what, int64_t min, int64_t max) {
  if (!v.IsNumber()) ThrowType(env, what + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d) ThrowType(env, what + " must be an integer");
  if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
    throw Napi::RangeError::New(env, what + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return static_cast<int64_t>(d);
}

}  // namespace

int FdArg(const Napi::CallbackInfo& info, size_t index, const char* fn) {
  std::string what = std::string(fn) + ": fd";
  return static_cast<int>(CheckedInt(info.Env(), info[index], what, 0, INT32_MAX));
}

std::string StringArg(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* name) {
  if (!info[index].IsString()) ThrowType(info.Env(), std::string(fn) + ": " + name + " must be a string");
  return info[index].As<Napi::String>().Utf8Value();
}

Napi::Object ObjectArg(const Napi::CallbackInfo& info, size_t index, const char* fn) {
  if (!info[index].IsObject()) ThrowType(info.Env(), std::string(fn) + ": options must be an object");
  return info[index].As<Napi::Object>();
}

std::optional<int64_t> IntField(Napi::Object obj, const char* fn, const char* name, int64_t min, int64_t max) {
  Napi::Value v = obj.Get(name);
  if (IsAbsent(v)) return std::nullopt;
  return CheckedInt(obj.Env(), v, std::string(fn) + ": " + name, min, max);
}

bool BoolField(Napi::Object obj, const char* fn, const char* name, bool fallback) {
  Napi::Value v = obj.Get(name);
  if (IsAbsent(v)) return fallback;
  if (!v.IsBoolean()) ThrowType(obj.Env(), std::string(fn) + ": " + name + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::optional<std::string> StringField(Napi::Object obj, const char* fn, const char* name) {
  Napi::Value v = obj.Get(name);
  if (IsAbsent(v)) return std::nullopt;
  if (!v.IsString()) ThrowType(obj.Env(), std::string(fn) + ": " + name + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

}  // namespace meshnet

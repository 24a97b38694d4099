// Reading arguments and option-object fields with type checks. Every failure names the field.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

namespace meshnet {

// Argument `index` of `fn` as a non-negative 32-bit integer file descriptor.
int FdArg(const Napi::CallbackInfo& info, size_t index, const char* fn);

// Argument `index` of `fn` as a string.
std::string StringArg(const Napi::CallbackInfo& info, size_t index, const char* fn, const char* name);

// Argument `index` of `fn` as an object.
Napi::Object ObjectArg(const Napi::CallbackInfo& info, size_t index, const char* fn);

// Optional integer field within [min, max]; absent or undefined → nullopt.
std::optional<int64_t> IntField(Napi::Object obj, const char* fn, const char* name, int64_t min, int64_t max);

// Optional boolean field; absent or undefined → fallback.
bool BoolField(Napi::Object obj, const char* fn, const char* name, bool fallback);

// Optional string field; absent or undefined → nullopt.
std::optional<std::string> StringField(Napi::Object obj, const char* fn, const char* name);

}  // namespace meshnet

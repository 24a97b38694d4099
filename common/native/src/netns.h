// Network namespace handles and the scoped switch of the calling thread into a netns.
#pragma once

#include <napi.h>

#include <optional>

namespace meshnet {

// Moves the calling thread into `target` (a netns fd) for the lifetime of the scope and always moves it back,
// including when the body throws. With no target it does nothing. Sockets created inside keep that netns for life.
class NetnsScope {
 public:
  NetnsScope(Napi::Env env, std::optional<int> target);
  ~NetnsScope();
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;

 private:
  bool switched_ = false;
};

// Registers openNetns, isNetns, closeFd.
void InitNetns(Napi::Env env, Napi::Object exports);

}  // namespace meshnet

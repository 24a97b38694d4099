#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "errno-error.h"
#include "options.h"

namespace meshnet {

namespace {

// The netns this thread started in, opened once per thread (worker threads get their own) and kept open so that
// switching back never depends on a path lookup that could fail.
thread_local int homeNetnsFd = -1;

int HomeNetns(Napi::Env env) {
  if (homeNetnsFd < 0) {
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) ThrowErrno(env, "open(/proc/thread-self/ns/net)", errno);
    homeNetnsFd = fd;
  }
  return homeNetnsFd;
}

Napi::Value OpenNetns(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "openNetns", "path");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ThrowErrno(info.Env(), ("open(" + path + ")").c_str(), errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value IsNetns(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "isNetns");
  int type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0) {
    // ENOTTY/EINVAL: a valid fd that is not a namespace at all. EBADF stays an error: the caller has a bug.
    if (errno == ENOTTY || errno == EINVAL) return Napi::Boolean::New(info.Env(), false);
    ThrowErrno(info.Env(), "ioctl(NS_GET_NSTYPE)", errno);
  }
  return Napi::Boolean::New(info.Env(), type == CLONE_NEWNET);
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "closeFd");
  // On Linux the fd is released even when close() reports EINTR, so never retry.
  if (close(fd) < 0 && errno != EINTR) ThrowErrno(info.Env(), "close", errno);
  return info.Env().Undefined();
}

}  // namespace

NetnsScope::NetnsScope(Napi::Env env, std::optional<int> target) {
  if (!target.has_value()) return;
  HomeNetns(env);
  if (setns(*target, CLONE_NEWNET) < 0) ThrowErrno(env, "setns(CLONE_NEWNET)", errno);
  switched_ = true;
}

NetnsScope::~NetnsScope() {
  if (!switched_) return;
  if (setns(homeNetnsFd, CLONE_NEWNET) < 0) {
    // Continuing would run the event loop thread in a pod's netns: every later socket would land there.
    perror("mesh_net: setns back to the original netns failed");
    abort();
  }
}

void InitNetns(Napi::Env env, Napi::Object exports) {
  exports.Set("openNetns", Napi::Function::New(env, OpenNetns, "openNetns"));
  exports.Set("isNetns", Napi::Function::New(env, IsNetns, "isNetns"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
}

}  // namespace meshnet

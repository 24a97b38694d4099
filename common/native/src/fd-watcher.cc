// FdWatcher: a libuv uv_poll_t on the main loop that calls back into JS when an fd becomes readable or
// writable. Node cannot watch arbitrary fds (SEQPACKET sockets, a TCP socket whose connect is in flight);
// this lets the TS side wait without blocking or busy-polling. Callbacks run on the loop thread, so no
// thread-safe function is needed.
//
// Rule for users: close() the watcher BEFORE closing the fd (libuv tracks watchers by fd number), and
// close() it before handing the fd to a Node handle (libuv allows one watcher per fd).
#include <uv.h>

#include "errno-error.h"
#include "exports.h"
#include "options.h"

namespace meshnet {

namespace {

// The libuv side; it outlives the JS object until libuv reports the handle closed.
struct PollHandle {
  uv_poll_t poll{};
  napi_env env = nullptr;
  Napi::FunctionReference callback;
  napi_async_context asyncContext = nullptr;
};

void OnClosed(uv_handle_t* h) {
  auto* ph = static_cast<PollHandle*>(h->data);
  if (ph->asyncContext != nullptr) napi_async_destroy(ph->env, ph->asyncContext);
  delete ph;
}

// Calls back `(status, events)`: status is '' or the libuv error name; events has bit 1 readable,
// 2 writable, 4 disconnect. A throwing callback becomes an uncaught exception, as for any Node callback.
void OnPoll(uv_poll_t* h, int status, int events) {
  auto* ph = static_cast<PollHandle*>(h->data);
  Napi::Env env(ph->env);
  Napi::HandleScope scope(env);
  try {
    Napi::String st = Napi::String::New(env, status < 0 ? uv_err_name(status) : "");
    ph->callback.MakeCallback(env.Global(), {st, Napi::Number::New(env, events)}, ph->asyncContext);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(ph->env, e.Value());
  }
}

class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FdWatcher",
                       {
                           InstanceMethod<&FdWatcher::Start>("start"),
                           InstanceMethod<&FdWatcher::Stop>("stop"),
                           InstanceMethod<&FdWatcher::Close>("close"),
                           InstanceMethod<&FdWatcher::Ref>("ref"),
                           InstanceMethod<&FdWatcher::Unref>("unref"),
                       });
  }

  // new FdWatcher(fd, callback)
  explicit FdWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatcher>(info) {
    Napi::Env env = info.Env();
    int fd = FdArg(info, 0, "FdWatcher");
    if (!info[1].IsFunction()) ThrowType(env, "FdWatcher: callback must be a function");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      throw Napi::Error::New(env, "FdWatcher: no libuv loop for this environment");
    }
    auto* ph = new PollHandle();
    ph->env = env;
    int rc = uv_poll_init(loop, &ph->poll, fd);
    if (rc < 0) {
      delete ph;
      throw ErrnoError(env, "uv_poll_init", -rc);
    }
    ph->poll.data = ph;
    ph->callback = Napi::Persistent(info[1].As<Napi::Function>());
    napi_async_init(env, nullptr, Napi::String::New(env, "MeshFdWatcher"), &ph->asyncContext);
    handle_ = ph;
  }

  ~FdWatcher() override { CloseHandle(); }

 private:
  PollHandle* Live(Napi::Env env, const char* fn) {
    if (handle_ == nullptr) throw Napi::Error::New(env, std::string("FdWatcher.") + fn + ": watcher is closed");
    return handle_;
  }

  // start(events): 1 readable, 2 writable (bits may be combined). Replaces the previous event set.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    PollHandle* ph = Live(info.Env(), "start");
    if (!info[0].IsNumber()) ThrowType(info.Env(), "FdWatcher.start: events must be a number");
    int events = info[0].As<Napi::Number>().Int32Value() & (UV_READABLE | UV_WRITABLE | UV_DISCONNECT);
    if (events == 0) ThrowType(info.Env(), "FdWatcher.start: events must include readable (1) or writable (2)");
    int rc = uv_poll_start(&ph->poll, events, OnPoll);
    if (rc < 0) throw ErrnoError(info.Env(), "uv_poll_start", -rc);
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    uv_poll_stop(&Live(info.Env(), "stop")->poll);
    return info.Env().Undefined();
  }

  // Idempotent; after it the fd is no longer known to libuv and may be closed or adopted.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseHandle();
    return info.Env().Undefined();
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    uv_ref(reinterpret_cast<uv_handle_t*>(&Live(info.Env(), "ref")->poll));
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    uv_unref(reinterpret_cast<uv_handle_t*>(&Live(info.Env(), "unref")->poll));
    return info.Env().Undefined();
  }

  void CloseHandle() {
    if (handle_ == nullptr) return;
    // uv_close stops polling at once (the fd leaves epoll now); the memory goes when libuv confirms.
    uv_close(reinterpret_cast<uv_handle_t*>(&handle_->poll), OnClosed);
    handle_ = nullptr;
  }

  PollHandle* handle_ = nullptr;
};

}  // namespace

void InitFdWatcher(Napi::Env env, Napi::Object exports) {
  exports.Set("FdWatcher", FdWatcher::Define(env));
}

}  // namespace meshnet

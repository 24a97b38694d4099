// Unix SOCK_SEQPACKET sockets with SCM_RIGHTS fd passing (the ZDS transport). Every call is non-blocking:
// "would block" comes back as null/false and the caller waits for readiness with an FdWatcher.
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <string>
#include <vector>

#include "errno-error.h"
#include "exports.h"
#include "options.h"
#include "sockopt.h"

namespace meshnet {

namespace {

// The kernel's per-message limit on passed fds (SCM_MAX_FD).
constexpr int kMaxFds = 253;

struct UnixAddr {
  sockaddr_un sun{};
  socklen_t len = 0;
};

// A filesystem path, or an abstract name when it starts with a NUL byte (as in Node).
UnixAddr MakeUnixAddr(Napi::Env env, const std::string& path, const char* fn) {
  UnixAddr a;
  a.sun.sun_family = AF_UNIX;
  if (path.empty()) ThrowType(env, std::string(fn) + ": path must not be empty");
  if (path.size() >= sizeof(a.sun.sun_path)) {
    ThrowType(env, std::string(fn) + ": path is " + std::to_string(path.size()) + " bytes, the limit is " +
                       std::to_string(sizeof(a.sun.sun_path) - 1));
  }
  memcpy(a.sun.sun_path, path.data(), path.size());
  a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '\0' ? 0 : 1));
  return a;
}

int NewSeqpacketSocket(Napi::Env env) {
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowErrno(env, "socket(AF_UNIX, SOCK_SEQPACKET)", errno);
  return fd;
}

Napi::Value SeqpacketListen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = StringArg(info, 0, "seqpacketListen", "path");
  int backlog = 128;
  if (!info[1].IsUndefined()) {
    if (!info[1].IsNumber()) ThrowType(env, "seqpacketListen: backlog must be a number");
    backlog = info[1].As<Napi::Number>().Int32Value();
    if (backlog < 1) throw Napi::RangeError::New(env, "seqpacketListen: backlog must be at least 1");
  }
  UnixAddr a = MakeUnixAddr(env, path, "seqpacketListen");
  UniqueFd fd(NewSeqpacketSocket(env));
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a.sun), a.len) < 0) {
    ThrowErrno(env, ("bind(" + path + ")").c_str(), errno);
  }
  if (listen(fd.get(), backlog) < 0) ThrowErrno(env, "listen", errno);
  return Napi::Number::New(env, fd.release());
}

// Unix-domain connects finish immediately or fail; a full backlog gives EAGAIN (there is no "in progress").
Napi::Value SeqpacketConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = StringArg(info, 0, "seqpacketConnect", "path");
  UnixAddr a = MakeUnixAddr(env, path, "seqpacketConnect");
  UniqueFd fd(NewSeqpacketSocket(env));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&a.sun), a.len) < 0) {
    ThrowErrno(env, ("connect(" + path + ")").c_str(), errno);
  }
  return Napi::Number::New(env, fd.release());
}

Napi::Value SeqpacketAccept(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "seqpacketAccept");
  int conn = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (conn < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED || errno == EINTR) {
      return info.Env().Null();
    }
    ThrowErrno(info.Env(), "accept4", errno);
  }
  return Napi::Number::New(info.Env(), conn);
}

std::vector<int> FdList(Napi::Env env, const Napi::Value& v) {
  std::vector<int> fds;
  if (v.IsUndefined() || v.IsNull()) return fds;
  if (!v.IsArray()) ThrowType(env, "seqpacketSend: fds must be an array of fds");
  Napi::Array arr = v.As<Napi::Array>();
  if (arr.Length() > kMaxFds) ThrowType(env, "seqpacketSend: at most 253 fds fit in one message");
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= INT32_MAX) || static_cast<double>(static_cast<int>(d)) != d) {
      ThrowType(env, "seqpacketSend: fds[" + std::to_string(i) + "] is not a file descriptor");
    }
    fds.push_back(static_cast<int>(d));
  }
  return fds;
}

// One datagram, atomically. Returns false when the socket buffer is full (EAGAIN): nothing was sent.
Napi::Value SeqpacketSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0, "seqpacketSend");
  if (!info[1].IsBuffer()) ThrowType(env, "seqpacketSend: data must be a Buffer");
  Napi::Buffer<uint8_t> data = info[1].As<Napi::Buffer<uint8_t>>();
  std::vector<int> fds = FdList(env, info[2]);

  iovec iov{data.Data(), data.Length()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.assign(CMSG_SPACE(sizeof(int) * fds.size()), 0);
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
    ThrowErrno(env, "sendmsg", errno);
  }
  return Napi::Boolean::New(env, true);
}

void CloseAll(const std::vector<int>& fds) {
  for (int f : fds) close(f);
}

// A zero-length read means end of stream when the peer has shut down (RDHUP); otherwise it is an empty
// datagram. (A trailing empty datagram sent just before the peer closed is therefore read as the end.)
bool PeerClosed(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP)) != 0;
}

// One datagram: `{ data, fds, eof }`, or null when nothing is queued. Truncated data or fds are errors (the
// received fds are closed first so a bad message cannot leak them).
Napi::Value SeqpacketRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0, "seqpacketRecv");
  if (!info[1].IsNumber()) ThrowType(env, "seqpacketRecv: maxLen must be a number");
  int64_t maxLen = info[1].As<Napi::Number>().Int64Value();
  if (maxLen < 1 || maxLen > (1 << 24)) throw Napi::RangeError::New(env, "seqpacketRecv: maxLen must be 1..16777216");
  int maxFds = 16;
  if (!info[2].IsUndefined()) {
    if (!info[2].IsNumber()) ThrowType(env, "seqpacketRecv: maxFds must be a number");
    maxFds = info[2].As<Napi::Number>().Int32Value();
    if (maxFds < 0 || maxFds > kMaxFds) throw Napi::RangeError::New(env, "seqpacketRecv: maxFds must be 0..253");
  }

  std::vector<uint8_t> buf(static_cast<size_t>(maxLen));
  std::vector<char> control(maxFds > 0 ? CMSG_SPACE(sizeof(int) * maxFds) : 0);
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.empty() ? nullptr : control.data();
  msg.msg_controllen = control.size();
  ssize_t n;
  do {
    // MSG_TRUNC makes the return value the datagram's real length, so the error can say how big it was.
    n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Null();
    ThrowErrno(env, "recvmsg", errno);
  }

  std::vector<int> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int f;
      memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.push_back(f);
    }
  }
  if (msg.msg_flags & MSG_TRUNC) {
    CloseAll(fds);
    throw ErrnoError(env, "recvmsg", EMSGSIZE,
                     "recvmsg failed: MSG_TRUNC: datagram of " + std::to_string(n) + " bytes exceeds the " +
                         std::to_string(maxLen) + "-byte buffer");
  }
  // CMSG_SPACE rounds up, so the kernel may deliver more fds than asked for without setting MSG_CTRUNC.
  if ((msg.msg_flags & MSG_CTRUNC) || fds.size() > static_cast<size_t>(maxFds)) {
    CloseAll(fds);
    throw ErrnoError(env, "recvmsg", EMSGSIZE,
                     "recvmsg failed: MSG_CTRUNC: more fds attached than the " + std::to_string(maxFds) +
                         " allowed; the received ones were closed");
  }

  Napi::Object out = Napi::Object::New(env);
  out.Set("data", Napi::Buffer<uint8_t>::Copy(env, buf.data(), static_cast<size_t>(n)));
  Napi::Array arr = Napi::Array::New(env, fds.size());
  for (size_t i = 0; i < fds.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, fds[i]));
  out.Set("fds", arr);
  out.Set("eof", Napi::Boolean::New(env, n == 0 && fds.empty() && PeerClosed(fd)));
  return out;
}

}  // namespace

void InitSeqpacket(Napi::Env env, Napi::Object exports) {
  exports.Set("seqpacketListen", Napi::Function::New(env, SeqpacketListen, "seqpacketListen"));
  exports.Set("seqpacketConnect", Napi::Function::New(env, SeqpacketConnect, "seqpacketConnect"));
  exports.Set("seqpacketAccept", Napi::Function::New(env, SeqpacketAccept, "seqpacketAccept"));
  exports.Set("seqpacketSend", Napi::Function::New(env, SeqpacketSend, "seqpacketSend"));
  exports.Set("seqpacketRecv", Napi::Function::New(env, SeqpacketRecv, "seqpacketRecv"));
}

}  // namespace meshnet

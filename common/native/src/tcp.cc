// TCP sockets created inside a network namespace: the calling thread enters the netns only for the few
// syscalls that create and set up the socket, then returns (NetnsScope), and JS adopts the fd.
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>

#include "errno-error.h"
#include "exports.h"
#include "inet-addr.h"
#include "netns.h"
#include "options.h"
#include "sockopt.h"

namespace meshnet {

namespace {

// Options common to listening and connecting sockets.
struct CommonOpts {
  std::optional<int> netnsFd;
  bool transparent = false;
  bool freebind = false;
  std::optional<int64_t> mark;
};

CommonOpts ReadCommon(Napi::Object o, const char* fn) {
  CommonOpts c;
  if (auto ns = IntField(o, fn, "netnsFd", 0, INT32_MAX)) c.netnsFd = static_cast<int>(*ns);
  c.transparent = BoolField(o, fn, "transparent", false);
  c.freebind = BoolField(o, fn, "freebind", false);
  c.mark = IntField(o, fn, "mark", 0, UINT32_MAX);
  return c;
}

int NewTcpSocket(Napi::Env env, int family) {
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowErrno(env, "socket", errno);
  return fd;
}

void ApplyCommon(Napi::Env env, int fd, int family, const CommonOpts& c) {
  if (c.transparent) ApplyTransparent(env, fd, family, true);
  if (c.freebind) ApplyFreebind(env, fd, family, true);
  if (c.mark.has_value()) ApplyMark(env, fd, static_cast<uint32_t>(*c.mark));
}

std::string Where(const std::string& host, int port) { return host + ":" + std::to_string(port); }

Napi::Value TcpListen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = ObjectArg(info, 0, "tcpListen");
  CommonOpts c = ReadCommon(o, "tcpListen");
  std::optional<std::string> host = StringField(o, "tcpListen", "host");
  if (!host) ThrowType(env, "tcpListen: host is required");
  std::optional<int64_t> port = IntField(o, "tcpListen", "port", 0, 65535);
  if (!port) ThrowType(env, "tcpListen: port is required");
  int backlog = static_cast<int>(IntField(o, "tcpListen", "backlog", 1, 65535).value_or(511));
  bool reusePort = BoolField(o, "tcpListen", "reusePort", false);
  Napi::Value v6only = o.Get("ipv6Only");
  bool ipv6Only = BoolField(o, "tcpListen", "ipv6Only", false);

  NetnsScope scope(env, c.netnsFd);
  InetAddr addr = ParseInetAddr(env, *host, static_cast<int>(*port), "tcpListen: host");
  UniqueFd fd(NewTcpSocket(env, addr.family()));
  // Like libuv: restarting listeners must not wait for TIME_WAIT sockets of the previous run.
  SetIntOpt(env, fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  if (reusePort) SetIntOpt(env, fd.get(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
  if (addr.family() == AF_INET6 && !v6only.IsUndefined()) {
    SetIntOpt(env, fd.get(), SOL_IPV6, IPV6_V6ONLY, ipv6Only ? 1 : 0, "IPV6_V6ONLY");
  }
  ApplyCommon(env, fd.get(), addr.family(), c);
  if (bind(fd.get(), addr.sa(), addr.len) < 0) {
    ThrowErrno(env, ("bind(" + Where(*host, static_cast<int>(*port)) + ")").c_str(), errno);
  }
  if (listen(fd.get(), backlog) < 0) ThrowErrno(env, "listen", errno);
  return Napi::Number::New(env, fd.release());
}

Napi::Value TcpConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = ObjectArg(info, 0, "tcpConnect");
  CommonOpts c = ReadCommon(o, "tcpConnect");
  std::optional<std::string> host = StringField(o, "tcpConnect", "host");
  if (!host) ThrowType(env, "tcpConnect: host is required");
  std::optional<int64_t> port = IntField(o, "tcpConnect", "port", 1, 65535);
  if (!port) ThrowType(env, "tcpConnect: port is required");
  std::optional<std::string> localHost = StringField(o, "tcpConnect", "localHost");
  std::optional<int64_t> localPort = IntField(o, "tcpConnect", "localPort", 0, 65535);

  NetnsScope scope(env, c.netnsFd);
  InetAddr remote = ParseInetAddr(env, *host, static_cast<int>(*port), "tcpConnect: host");
  UniqueFd fd(NewTcpSocket(env, remote.family()));
  ApplyCommon(env, fd.get(), remote.family(), c);
  if (localHost || localPort) {
    std::string lh = localHost.value_or(remote.family() == AF_INET6 ? "::" : "0.0.0.0");
    int lp = static_cast<int>(localPort.value_or(0));
    InetAddr local = ParseInetAddr(env, lh, lp, "tcpConnect: localHost");
    if (local.family() != remote.family()) ThrowType(env, "tcpConnect: localHost and host must be the same IP family");
    // Without a fixed port, let connect() pick it so the 4-tuple, not the port alone, must be unique.
    if (lp == 0) SetIntOpt(env, fd.get(), SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1, "IP_BIND_ADDRESS_NO_PORT");
    if (bind(fd.get(), local.sa(), local.len) < 0) {
      ThrowErrno(env, ("bind(" + Where(lh, lp) + ")").c_str(), errno);
    }
  }
  if (connect(fd.get(), remote.sa(), remote.len) < 0 && errno != EINPROGRESS) {
    ThrowErrno(env, ("connect(" + Where(*host, static_cast<int>(*port)) + ")").c_str(), errno);
  }
  return Napi::Number::New(env, fd.release());
}

}  // namespace

void InitTcp(Napi::Env env, Napi::Object exports) {
  exports.Set("tcpListen", Napi::Function::New(env, TcpListen, "tcpListen"));
  exports.Set("tcpConnect", Napi::Function::New(env, TcpConnect, "tcpConnect"));
}

}  // namespace meshnet

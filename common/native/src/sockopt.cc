#include "sockopt.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "errno-error.h"
#include "inet-addr.h"
#include "options.h"

// From linux/netfilter_ipv4.h and linux/netfilter_ipv6/ip6_tables.h, which clash with glibc's netinet/in.h
// when included together. Both are stable kernel ABI.
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif

namespace meshnet {

int SocketDomain(Napi::Env env, int fd) {
  int domain = 0;
  socklen_t len = sizeof(domain);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) ThrowErrno(env, "getsockopt(SO_DOMAIN)", errno);
  return domain;
}

void SetIntOpt(Napi::Env env, int fd, int level, int opt, int value, const char* name) {
  if (setsockopt(fd, level, opt, &value, sizeof(value)) < 0) {
    ThrowErrno(env, (std::string("setsockopt(") + name + ")").c_str(), errno);
  }
}

void ApplyTransparent(Napi::Env env, int fd, int family, bool on) {
  if (family == AF_INET6) {
    SetIntOpt(env, fd, SOL_IPV6, IPV6_TRANSPARENT, on ? 1 : 0, "IPV6_TRANSPARENT");
  } else {
    SetIntOpt(env, fd, SOL_IP, IP_TRANSPARENT, on ? 1 : 0, "IP_TRANSPARENT");
  }
}

void ApplyFreebind(Napi::Env env, int fd, int family, bool on) {
  if (family == AF_INET6) {
    SetIntOpt(env, fd, SOL_IPV6, IPV6_FREEBIND, on ? 1 : 0, "IPV6_FREEBIND");
  } else {
    SetIntOpt(env, fd, SOL_IP, IP_FREEBIND, on ? 1 : 0, "IP_FREEBIND");
  }
}

void ApplyMark(Napi::Env env, int fd, uint32_t mark) {
  if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) ThrowErrno(env, "setsockopt(SO_MARK)", errno);
}

namespace {

uint32_t MarkArg(const Napi::CallbackInfo& info, const char* fn) {
  if (!info[1].IsNumber()) ThrowType(info.Env(), std::string(fn) + ": mark must be a number");
  double d = info[1].As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || static_cast<double>(static_cast<uint32_t>(d)) != d) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": mark must be an integer between 0 and 4294967295");
  }
  return static_cast<uint32_t>(d);
}

bool OnArg(const Napi::CallbackInfo& info, const char* fn) {
  if (!info[1].IsBoolean()) ThrowType(info.Env(), std::string(fn) + ": on must be a boolean");
  return info[1].As<Napi::Boolean>().Value();
}

// The destination the client asked for before a nat REDIRECT rewrote it. IPv4 first (also answers for
// IPv4 connections on dual-stack sockets), then the IPv6 variant; the first error is the informative one.
Napi::Value GetOriginalDst(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "getOriginalDst");
  sockaddr_storage addr{};
  socklen_t len = sizeof(sockaddr_in);
  if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &addr, &len) == 0) return FormatInetAddr(info.Env(), addr);
  int v4err = errno;
  if (v4err == EBADF || v4err == ENOTSOCK) ThrowErrno(info.Env(), "getsockopt(SO_ORIGINAL_DST)", v4err);
  addr = sockaddr_storage{};
  len = sizeof(sockaddr_in6);
  if (getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &addr, &len) == 0) return FormatInetAddr(info.Env(), addr);
  int v6err = errno;
  if (SocketDomain(info.Env(), fd) == AF_INET6 && v6err != ENOPROTOOPT) {
    ThrowErrno(info.Env(), "getsockopt(IP6T_SO_ORIGINAL_DST)", v6err);
  }
  ThrowErrno(info.Env(), "getsockopt(SO_ORIGINAL_DST)", v4err);
}

Napi::Value SetMark(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "setMark");
  ApplyMark(info.Env(), fd, MarkArg(info, "setMark"));
  return info.Env().Undefined();
}

Napi::Value GetMark(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "getMark");
  uint32_t mark = 0;
  socklen_t len = sizeof(mark);
  if (getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &len) < 0) ThrowErrno(info.Env(), "getsockopt(SO_MARK)", errno);
  return Napi::Number::New(info.Env(), mark);
}

Napi::Value SetTransparent(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "setTransparent");
  ApplyTransparent(info.Env(), fd, SocketDomain(info.Env(), fd), OnArg(info, "setTransparent"));
  return info.Env().Undefined();
}

Napi::Value SetFreebind(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "setFreebind");
  ApplyFreebind(info.Env(), fd, SocketDomain(info.Env(), fd), OnArg(info, "setFreebind"));
  return info.Env().Undefined();
}

// TCP_NODELAY as the kernel has it (Node can set it but not read it back).
Napi::Value GetNoDelay(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "getNoDelay");
  int on = 0;
  socklen_t len = sizeof(on);
  if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) < 0) ThrowErrno(info.Env(), "getsockopt(TCP_NODELAY)", errno);
  return Napi::Boolean::New(info.Env(), on != 0);
}

// SO_ERROR: 0 once a non-blocking connect succeeded, else its errno. Returned as the errno name ('' for none)
// plus a ready-made Error so JS can surface ECONNREFUSED like Node does.
Napi::Value GetSocketError(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0, "getSocketError");
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) ThrowErrno(info.Env(), "getsockopt(SO_ERROR)", errno);
  if (err == 0) return info.Env().Null();
  return ErrnoError(info.Env(), "connect", err).Value();
}

}  // namespace

void InitSockopt(Napi::Env env, Napi::Object exports) {
  exports.Set("getOriginalDst", Napi::Function::New(env, GetOriginalDst, "getOriginalDst"));
  exports.Set("setMark", Napi::Function::New(env, SetMark, "setMark"));
  exports.Set("getMark", Napi::Function::New(env, GetMark, "getMark"));
  exports.Set("getNoDelay", Napi::Function::New(env, GetNoDelay, "getNoDelay"));
  exports.Set("setTransparent", Napi::Function::New(env, SetTransparent, "setTransparent"));
  exports.Set("setFreebind", Napi::Function::New(env, SetFreebind, "setFreebind"));
  exports.Set("getSocketError", Napi::Function::New(env, GetSocketError, "getSocketError"));
}

}  // namespace meshnet

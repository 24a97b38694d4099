// Socket options shared by socket creation (tcp.cc) and the JS-facing setters (sockopt.cc).
#pragma once

#include <napi.h>
#include <unistd.h>

namespace meshnet {

// Closes the fd on scope exit unless released; keeps error paths from leaking sockets.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// AF_INET or AF_INET6 (SO_DOMAIN); throws on a bad fd.
int SocketDomain(Napi::Env env, int fd);

// IP_TRANSPARENT / IPV6_TRANSPARENT depending on the socket's family. Needs CAP_NET_ADMIN.
void ApplyTransparent(Napi::Env env, int fd, int family, bool on);

// IP_FREEBIND / IPV6_FREEBIND: bind to addresses not (yet) configured locally.
void ApplyFreebind(Napi::Env env, int fd, int family, bool on);

// SO_MARK (fwmark used by the in-pod iptables rules to recognise proxy traffic). Needs CAP_NET_ADMIN.
void ApplyMark(Napi::Env env, int fd, uint32_t mark);

// Sets an int socket option, throwing `setsockopt(<name>)` on failure.
void SetIntOpt(Napi::Env env, int fd, int level, int opt, int value, const char* name);

// Registers getOriginalDst, setMark, getMark, setTransparent, setFreebind, getSocketError.
void InitSockopt(Napi::Env env, Napi::Object exports);

}  // namespace meshnet

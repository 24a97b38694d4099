// Conversions between IP literals + ports and socket addresses.
#pragma once

#include <napi.h>
#include <sys/socket.h>

#include <string>

namespace meshnet {

// A parsed IPv4 or IPv6 socket address.
struct InetAddr {
  sockaddr_storage storage{};
  socklen_t len = 0;
  int family() const { return storage.ss_family; }
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Parses an IP literal (no DNS: resolving would block and could run in the wrong netns).
// Accepts `[v6]` brackets and a `%scope` suffix on link-local IPv6. Throws a TypeError naming `what`.
InetAddr ParseInetAddr(Napi::Env env, const std::string& host, int port, const std::string& what);

// `{ address, port, family: 'IPv4' | 'IPv6' }`; IPv4-mapped IPv6 addresses are reported as IPv4.
Napi::Object FormatInetAddr(Napi::Env env, const sockaddr_storage& addr);

}  // namespace meshnet

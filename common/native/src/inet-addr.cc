#include "inet-addr.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "errno-error.h"

namespace meshnet {

InetAddr ParseInetAddr(Napi::Env env, const std::string& hostIn, int port, const std::string& what) {
  InetAddr out;
  std::string host = hostIn;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);

  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    out.len = sizeof(sockaddr_in);
    return out;
  }

  std::string scope;
  size_t pct = host.find('%');
  if (pct != std::string::npos) {
    scope = host.substr(pct + 1);
    host = host.substr(0, pct);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    if (!scope.empty()) {
      // Interface names resolve in the caller's netns; numeric ids avoid that ambiguity.
      unsigned idx = if_nametoindex(scope.c_str());
      if (idx == 0) idx = static_cast<unsigned>(strtoul(scope.c_str(), nullptr, 10));
      if (idx == 0) ThrowType(env, what + ": unknown IPv6 scope '" + scope + "'");
      v6->sin6_scope_id = idx;
    }
    out.len = sizeof(sockaddr_in6);
    return out;
  }
  ThrowType(env, what + " must be an IPv4 or IPv6 literal, got '" + hostIn + "'");
}

Napi::Object FormatInetAddr(Napi::Env env, const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  Napi::Object out = Napi::Object::New(env);
  if (addr.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
    out.Set("address", buf);
    out.Set("port", ntohs(v4->sin_port));
    out.Set("family", "IPv4");
    return out;
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
    inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], buf, sizeof(buf));
    out.Set("family", "IPv4");
  } else {
    inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
    out.Set("family", "IPv6");
  }
  out.Set("address", buf);
  out.Set("port", ntohs(v6->sin6_port));
  return out;
}

}  // namespace meshnet

// TLS settings of the native HBONE data path: one OpenSSL SSL_CTX (TLS 1.3 only, ALPN h2, the peer's
// certificate required and verified against the given roots). OpenSSL is the one inside the node binary,
// which exports its symbols for addons; the headers only declare them.
#pragma once

#include <napi.h>
#include <openssl/ssl.h>

#include <string>

namespace meshnet {

class TlsContext : public Napi::ObjectWrap<TlsContext> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::FunctionReference* constructor;

  // new TlsContext({ server, certChain, key, roots }): PEM strings; certChain is leaf first.
  explicit TlsContext(const Napi::CallbackInfo& info);
  ~TlsContext() override;

  SSL_CTX* ctx() const { return ctx_; }
  bool server() const { return server_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  bool server_ = false;
};

// The first queued OpenSSL error as text (and the queue cleared), or `fallback` when the queue is empty.
std::string TakeSslError(const char* fallback);

void InitTlsContext(Napi::Env env, Napi::Object exports);

}  // namespace meshnet

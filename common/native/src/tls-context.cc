#include "tls-context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "errno-error.h"
#include "options.h"

namespace meshnet {

Napi::FunctionReference* TlsContext::constructor = nullptr;

std::string TakeSslError(const char* fallback) {
  unsigned long code = ERR_get_error();
  if (code == 0) return fallback;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

namespace {

const unsigned char kAlpnH2[] = {2, 'h', '2'};

int SelectH2(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
             void*) {
  for (unsigned int i = 0; i < inlen;) {
    unsigned int len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 2 && in[i + 1] == 'h' && in[i + 2] == '2') {
      *out = in + i + 1;
      *outlen = 2;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;  // HBONE speaks h2 only
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::unique_ptr<BIO, BioFree> PemBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

[[noreturn]] void Fail(Napi::Env env, const std::string& what) {
  throw Napi::Error::New(env, "TlsContext: " + what + ": " + TakeSslError("no detail from OpenSSL"));
}

}  // namespace

Napi::Function TlsContext::Define(Napi::Env env) { return DefineClass(env, "TlsContext", {}); }

TlsContext::TlsContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TlsContext>(info) {
  Napi::Env env = info.Env();
  Napi::Object o = ObjectArg(info, 0, "TlsContext");
  server_ = BoolField(o, "TlsContext", "server", false);
  auto chain = StringField(o, "TlsContext", "certChain");
  auto key = StringField(o, "TlsContext", "key");
  auto roots = StringField(o, "TlsContext", "roots");
  if (!chain || !key || !roots) ThrowType(env, "TlsContext: certChain, key and roots (PEM strings) are required");
  ERR_clear_error();

  ctx_ = SSL_CTX_new(TLS_method());
  if (ctx_ == nullptr) Fail(env, "SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_3_VERSION);
  // ztunnel's suites and groups (no ChaCha20), no session tickets: the same limits as common/src/tls/mtls.ts.
  if (SSL_CTX_set_ciphersuites(ctx_, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256") != 1) Fail(env, "ciphersuites");
  if (SSL_CTX_set1_groups_list(ctx_, "P-256:P-384") != 1) Fail(env, "groups");
  SSL_CTX_set_options(ctx_, SSL_OP_NO_TICKET);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  // Read-ahead with a 64 KiB buffer: one read() takes several records instead of two reads per record.
  SSL_CTX_set_read_ahead(ctx_, 1);
  SSL_CTX_set_default_read_buffer_len(ctx_, 256 * 1024);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  if (server_) {
    SSL_CTX_set_alpn_select_cb(ctx_, SelectH2, nullptr);
    SSL_CTX_set_num_tickets(ctx_, 0);  // no resumption: every HBONE connection authenticates afresh
  } else if (SSL_CTX_set_alpn_protos(ctx_, kAlpnH2, sizeof kAlpnH2) != 0) {
    Fail(env, "ALPN");
  }

  auto chainBio = PemBio(*chain);
  X509* leaf = PEM_read_bio_X509(chainBio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) Fail(env, "certChain has no PEM certificate");
  int ok = SSL_CTX_use_certificate(ctx_, leaf);
  X509_free(leaf);
  if (ok != 1) Fail(env, "certChain's first certificate");
  while (X509* extra = PEM_read_bio_X509(chainBio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx_, extra) != 1) {
      X509_free(extra);
      Fail(env, "certChain's intermediate certificate");
    }
  }
  ERR_clear_error();  // the end of the PEM list is reported as an error

  auto keyBio = PemBio(*key);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) Fail(env, "key is not a PEM private key");
  ok = SSL_CTX_use_PrivateKey(ctx_, pkey);
  EVP_PKEY_free(pkey);
  if (ok != 1 || SSL_CTX_check_private_key(ctx_) != 1) Fail(env, "key does not match the certificate");

  auto rootsBio = PemBio(*roots);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx_);
  int count = 0;
  while (X509* root = PEM_read_bio_X509(rootsBio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, root);
    X509_free(root);
    count++;
  }
  ERR_clear_error();
  if (count == 0) ThrowType(env, "TlsContext: roots has no PEM certificate");
}

TlsContext::~TlsContext() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

void InitTlsContext(Napi::Env env, Napi::Object exports) {
  Napi::Function fn = TlsContext::Define(env);
  TlsContext::constructor = new Napi::FunctionReference(Napi::Persistent(fn));
  exports.Set("TlsContext", fn);
}

}  // namespace meshnet

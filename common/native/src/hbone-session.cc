// HboneSession: one HBONE connection (HTTP/2 over TLS 1.3 on a TCP socket) run natively on Node's libuv
// loop, with each CONNECT stream joined to an app socket in C++: bytes go socket -> nghttp2 -> OpenSSL ->
// socket with no JavaScript, no per-chunk allocation and no garbage for V8 to collect. JavaScript keeps
// every decision: it checks the peer's identity after the handshake, opens streams (client) or answers
// them after policy (server), attaches app sockets, resets streams and closes the session.
//
// OpenSSL and nghttp2 are the ones linked into the node binary (it exports their symbols for addons).
// Everything runs on the loop thread. Events reach JS through one callback, emit(kind, ...):
//   'handshake' (peerCertDer)            TLS is up, ALPN is h2; HTTP/2 starts right after
//   'stream'    (id, headers[])          server: a request's HEADERS (flat name/value list)
//   'response'  (id, status, headers[])  client: the answer to request()
//   'streamClose' (id, code, fromApp, toApp)  a stream is gone (code 0: an ordinary close)
//   'goaway'    (code, lastStreamId)     the peer sent GOAWAY
//   'pong'      ()                       our PING was acknowledged
//   'close'     (error)                  the session ended ('' when it ended cleanly)
#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "errno-error.h"
#include "exports.h"
#include "options.h"
#include "tls-context.h"

// nghttp2 1.57 added a limit on streams the peer resets (the rapid-reset attack); Debian's headers may predate
// it, the node binary's nghttp2 has it. Weak: when absent the limit is nghttp2's default, or none.
extern "C" void nghttp2_option_set_stream_reset_rate_limit(nghttp2_option* option, uint64_t burst, uint64_t rate)
    __attribute__((weak));

namespace meshnet {

namespace {

constexpr size_t kReadChunk = 256 * 1024;   // one SSL_read into the shared buffer
constexpr size_t kWriteBatch = 256 * 1024;  // frames gathered per SSL_write
constexpr int64_t kMaxDataFrame = 256 * 1024;
constexpr size_t kDirectFrame = 16 * 1024;  // frames this large skip the gathering copy
constexpr size_t kMaxHeaderList = 64 * 1024;  // HBONE requests carry a few short headers
constexpr uint64_t kResetBurst = 100000;    // streams the peer may reset at once ...
constexpr uint64_t kResetRate = 10000;      // ... and per second after that

// One read buffer for every session: the loop is single-threaded and nothing keeps a pointer into it
// past the nghttp2_session_mem_recv call that consumes it.
uint8_t* SharedReadBuffer() {
  static std::vector<uint8_t> buf(kReadChunk);
  return buf.data();
}

int DupFd(Napi::Env env, int fd, const char* fn) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) ThrowErrno(env, fn, errno);
  int flags = fcntl(copy, F_GETFL);
  if (flags < 0 || fcntl(copy, F_SETFL, flags | O_NONBLOCK) < 0) {
    int err = errno;
    close(copy);
    ThrowErrno(env, fn, err);
  }
  return copy;
}

// Closes with a TCP reset (SO_LINGER 0): an aborted tunnel must not look finished to the app.
void AbortFd(int fd) {
  struct linger lg = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

// OpenSSL writes its records through this BIO into the session's output buffer, and the session writes the
// buffer to the socket itself: one write() per batch of records (a 256 KiB batch is 16 of them) instead of one
// per record, which is what a socket BIO does.
int OutBioWrite(BIO* b, const char* data, size_t len, size_t* written) {
  auto* out = static_cast<std::vector<uint8_t>*>(BIO_get_data(b));
  out->insert(out->end(), reinterpret_cast<const uint8_t*>(data), reinterpret_cast<const uint8_t*>(data) + len);
  *written = len;
  return 1;
}

long OutBioCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int OutBioCreate(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

BIO_METHOD* OutBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mesh hbone tls out");
    BIO_meth_set_write_ex(m, OutBioWrite);
    BIO_meth_set_ctrl(m, OutBioCtrl);
    BIO_meth_set_create(m, OutBioCreate);
    return m;
  }();
  return method;
}

// Writes as much of [data, data + len) as the non-blocking fd takes now and returns how much that was; *failed
// is set (errno saying why) when the write failed for another reason than a full socket.
size_t WriteNow(int fd, const uint8_t* data, size_t len, bool* failed) {
  size_t done = 0;
  *failed = false;
  while (done < len) {
    ssize_t n = write(fd, data + done, len - done);
    if (n > 0) {
      done += n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n == 0) errno = EIO;
    *failed = true;
    break;
  }
  return done;
}

class HboneSession;

// A uv_poll_t that outlives its owner until libuv says it is closed.
struct Poll {
  uv_poll_t handle{};
  HboneSession* session = nullptr;
  int32_t streamId = 0;  // 0: the session's TLS socket
  int events = 0;
};

void OnPollClosed(uv_handle_t* h) { delete static_cast<Poll*>(h->data); }

struct Stream {
  int32_t id = 0;
  int fd = -1;  // the app socket (our own dup), once attached
  Poll* poll = nullptr;
  std::vector<uint8_t> head;  // from the app, read by JS before the socket was attached; sent first
  size_t headOff = 0;
  std::vector<uint8_t> out;  // from the peer, not yet written to the app
  size_t outOff = 0;
  std::vector<std::string> headers;  // collected while HEADERS arrive
  size_t headerBytes = 0;
  bool deferred = false;             // the data provider waits for the app socket to be readable
  bool drained = false;              // the last read took less than asked: wait for the poll, skip a read
  bool peerEnded = false;            // END_STREAM received
  bool appWriteShut = false;         // FIN passed on to the app
  bool h2Closed = false;             // nghttp2 closed it cleanly; bytes for the app are still queued
  uint64_t fromApp = 0;
  uint64_t toApp = 0;
};

class HboneSession : public Napi::ObjectWrap<HboneSession> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "HboneSession",
                       {
                           InstanceMethod<&HboneSession::Request>("request"),
                           InstanceMethod<&HboneSession::Respond>("respond"),
                           InstanceMethod<&HboneSession::Attach>("attach"),
                           InstanceMethod<&HboneSession::Reset>("reset"),
                           InstanceMethod<&HboneSession::Ping>("ping"),
                           InstanceMethod<&HboneSession::Goaway>("goaway"),
                           InstanceMethod<&HboneSession::Destroy>("destroy"),
                           InstanceMethod<&HboneSession::LoopRef>("ref"),
                           InstanceMethod<&HboneSession::LoopUnref>("unref"),
                       });
  }

  // new HboneSession(fd, tlsContext, emit, { streamWindow, connectionWindow, maxStreams, maxFrame })
  // The session works on its own copy of fd; the caller closes its own.
  explicit HboneSession(const Napi::CallbackInfo& info) : Napi::ObjectWrap<HboneSession>(info) {
    Napi::Env env = info.Env();
    env_ = env;
    int fd = FdArg(info, 0, "HboneSession");
    if (!info[1].IsObject() || !info[1].As<Napi::Object>().InstanceOf(TlsContext::constructor->Value())) {
      ThrowType(env, "HboneSession: the second argument must be a TlsContext");
    }
    if (!info[2].IsFunction()) ThrowType(env, "HboneSession: emit must be a function");
    Napi::Object opts = info[3].IsObject() ? info[3].As<Napi::Object>() : Napi::Object::New(env);
    streamWindow_ = IntField(opts, "HboneSession", "streamWindow", 65535, 0x7fffffff).value_or(4 << 20);
    connectionWindow_ = IntField(opts, "HboneSession", "connectionWindow", 65535, 0x7fffffff).value_or(16 << 20);
    maxStreams_ = IntField(opts, "HboneSession", "maxStreams", 1, 1 << 20).value_or(100);
    maxFrame_ = IntField(opts, "HboneSession", "maxFrame", 16384, 16777215).value_or(16384);

    TlsContext* tls = TlsContext::Unwrap(info[1].As<Napi::Object>());
    server_ = tls->server();
    tlsRef_ = Napi::Persistent(info[1].As<Napi::Object>());
    emit_ = Napi::Persistent(info[2].As<Napi::Function>());
    napi_async_init(env, nullptr, Napi::String::New(env, "MeshHboneSession"), &asyncContext_);

    fd_ = DupFd(env, fd, "HboneSession");
    ssl_ = SSL_new(tls->ctx());
    BIO* rbio = ssl_ == nullptr ? nullptr : BIO_new_socket(fd_, BIO_NOCLOSE);
    BIO* wbio = rbio == nullptr ? nullptr : BIO_new(OutBioMethod());
    if (wbio == nullptr) {
      if (rbio != nullptr) BIO_free(rbio);
      if (ssl_ != nullptr) SSL_free(ssl_);
      close(fd_);
      throw Napi::Error::New(env, "HboneSession: " + TakeSslError("SSL_new failed"));
    }
    BIO_set_data(wbio, &tlsOut_);
    SSL_set_bio(ssl_, rbio, wbio);
    if (server_) SSL_set_accept_state(ssl_);
    else SSL_set_connect_state(ssl_);

    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    loop_ = loop;
    tlsPoll_ = NewPoll(fd_, 0);
    if (tlsPoll_ == nullptr) {
      SSL_free(ssl_);
      ssl_ = nullptr;
      close(fd_);
      throw Napi::Error::New(env, "HboneSession: libuv cannot poll the socket");
    }
    Ref();  // JS may drop the object; the session lives until it closes
    // The handshake starts from the loop (never inside the constructor, so every event reaches a listener).
    SetEvents(tlsPoll_, UV_READABLE | UV_WRITABLE);
  }

  ~HboneSession() override {
    if (asyncContext_ != nullptr) napi_async_destroy(env_, asyncContext_);
  }

 private:
  // ---- JS methods ------------------------------------------------------------------------------------------

  // request(authority, headers[]) -> stream id (client). The stream sends the app's bytes once attached.
  Napi::Value Request(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Live(env, "request");
    if (server_) throw Napi::Error::New(env, "HboneSession.request: a server session cannot open streams");
    std::string authority = StringArg(info, 0, "HboneSession.request", "authority");
    std::vector<std::string> kv = {":method", "CONNECT", ":authority", authority};
    AppendHeaders(info, 1, "HboneSession.request", kv);
    size_t listBytes = 0;
    for (const std::string& f : kv) listBytes += f.size() + 16;  // 32 bytes of overhead per name/value pair
    if (listBytes > kMaxHeaderList) {
      // A peer drops a header list over its SETTINGS_MAX_HEADER_LIST_SIZE without an answer; say so now.
      throw Napi::Error::New(env, "HboneSession.request: the headers (" + std::to_string(listBytes) +
                                      " bytes as HTTP/2 counts them) exceed the 64 KiB header list limit");
    }
    std::vector<nghttp2_nv> nva = ToNva(kv);
    nghttp2_data_provider prd{};
    prd.read_callback = ReadFromApp;
    int32_t id = nghttp2_submit_request(h2_, nullptr, nva.data(), nva.size(), &prd, nullptr);
    if (id < 0) throw Napi::Error::New(env, std::string("HboneSession.request: ") + nghttp2_strerror(id));
    auto* s = new Stream();
    s->id = id;
    streams_[id] = s;
    Flush();
    return Napi::Number::New(env, id);
  }

  // respond(id, status, headers[], open): open keeps the stream for an attached app socket; otherwise
  // the answer ends the stream.
  Napi::Value Respond(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Live(env, "respond");
    Stream* s = StreamArg(info, "respond");
    if (!info[1].IsNumber()) ThrowType(env, "HboneSession.respond: status must be a number");
    std::vector<std::string> kv = {":status", std::to_string(info[1].As<Napi::Number>().Int32Value())};
    AppendHeaders(info, 2, "HboneSession.respond", kv);
    bool open = info[3].ToBoolean().Value();
    std::vector<nghttp2_nv> nva = ToNva(kv);
    nghttp2_data_provider prd{};
    prd.read_callback = ReadFromApp;
    int rc = nghttp2_submit_response(h2_, s->id, nva.data(), nva.size(), open ? &prd : nullptr);
    if (rc < 0) throw Napi::Error::New(env, std::string("HboneSession.respond: ") + nghttp2_strerror(rc));
    Flush();
    return env.Undefined();
  }

  // attach(id, fd, head?): joins the stream with an app socket (the session works on its own copy of fd);
  // head holds bytes JS already read from that socket, sent before anything read from it here.
  Napi::Value Attach(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Live(env, "attach");
    Stream* s = StreamArg(info, "attach");
    if (s->fd >= 0) throw Napi::Error::New(env, "HboneSession.attach: the stream already has a socket");
    int fd = FdArg(info, 1, "HboneSession.attach");
    if (info[2].IsBuffer()) {
      auto head = info[2].As<Napi::Buffer<uint8_t>>();
      s->head.assign(head.Data(), head.Data() + head.Length());
    }
    s->fd = DupFd(env, fd, "HboneSession.attach");
    s->poll = NewPoll(s->fd, s->id);
    if (s->poll == nullptr) {
      AbortStream(s);  // the stream is reset and, once nghttp2 closes it, the socket too
      Flush();
      return env.Undefined();
    }
    WriteToApp(s);
    if (s->deferred) {
      s->deferred = false;
      nghttp2_session_resume_data(h2_, s->id);
    }
    Flush();
    return env.Undefined();
  }

  // reset(id, code): RST_STREAM; the app socket is closed with a reset.
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closed_) return env.Undefined();
    Stream* s = StreamArg(info, "reset");
    uint32_t code = info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : static_cast<uint32_t>(NGHTTP2_CANCEL);
    nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, s->id, code);
    Flush();
    return env.Undefined();
  }

  Napi::Value Ping(const Napi::CallbackInfo& info) {
    Live(info.Env(), "ping");
    nghttp2_submit_ping(h2_, NGHTTP2_FLAG_NONE, nullptr);
    Flush();
    return info.Env().Undefined();
  }

  // goaway(): no new streams; the session closes once its streams are done.
  Napi::Value Goaway(const Napi::CallbackInfo& info) {
    if (closed_ || h2_ == nullptr) return info.Env().Undefined();
    nghttp2_submit_goaway(h2_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(h2_), NGHTTP2_NO_ERROR,
                          nullptr, 0);
    Flush();
    return info.Env().Undefined();
  }

  // destroy(reason?): closes everything now; streams end with CANCEL and their app sockets are reset.
  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    std::string reason = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    Close(reason);
    return info.Env().Undefined();
  }

  Napi::Value LoopRef(const Napi::CallbackInfo& info) {
    if (tlsPoll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(&tlsPoll_->handle));
    return info.Env().Undefined();
  }

  Napi::Value LoopUnref(const Napi::CallbackInfo& info) {
    if (tlsPoll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(&tlsPoll_->handle));
    return info.Env().Undefined();
  }

  // ---- helpers for the JS methods --------------------------------------------------------------------------

  void Live(Napi::Env env, const char* fn) {
    if (closed_) throw Napi::Error::New(env, std::string("HboneSession.") + fn + ": the session is closed");
    if (h2_ == nullptr) throw Napi::Error::New(env, std::string("HboneSession.") + fn + ": the TLS handshake is not done");
  }

  Stream* StreamArg(const Napi::CallbackInfo& info, const char* fn) {
    if (!info[0].IsNumber()) ThrowType(info.Env(), std::string("HboneSession.") + fn + ": id must be a number");
    auto it = streams_.find(info[0].As<Napi::Number>().Int32Value());
    if (it == streams_.end()) {
      throw Napi::Error::New(info.Env(), std::string("HboneSession.") + fn + ": no such stream (closed already?)");
    }
    return it->second;
  }

  static void AppendHeaders(const Napi::CallbackInfo& info, size_t index, const char* fn, std::vector<std::string>& kv) {
    if (info[index].IsUndefined()) return;
    if (!info[index].IsArray()) ThrowType(info.Env(), std::string(fn) + ": headers must be a flat [name, value, ...] array");
    Napi::Array a = info[index].As<Napi::Array>();
    if (a.Length() % 2 != 0) ThrowType(info.Env(), std::string(fn) + ": headers must hold name/value pairs");
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value v = a.Get(i);
      if (!v.IsString()) ThrowType(info.Env(), std::string(fn) + ": header names and values must be strings");
      kv.push_back(v.As<Napi::String>().Utf8Value());
    }
  }

  static std::vector<nghttp2_nv> ToNva(std::vector<std::string>& kv) {
    std::vector<nghttp2_nv> nva;
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      nva.push_back({reinterpret_cast<uint8_t*>(kv[i].data()), reinterpret_cast<uint8_t*>(kv[i + 1].data()),
                     kv[i].size(), kv[i + 1].size(), NGHTTP2_NV_FLAG_NONE});
    }
    return nva;
  }

  // ---- polling ---------------------------------------------------------------------------------------------

  Poll* NewPoll(int fd, int32_t streamId) {
    auto* p = new Poll();
    p->session = this;
    p->streamId = streamId;
    p->handle.data = p;
    if (uv_poll_init(loop_, &p->handle, fd) != 0) {
      delete p;
      return nullptr;
    }
    return p;
  }

  static void SetEvents(Poll* p, int events) {
    if (p == nullptr || p->events == events) return;
    p->events = events;
    if (events == 0) uv_poll_stop(&p->handle);
    else uv_poll_start(&p->handle, events, OnPollEvent);
  }

  static void ClosePoll(Poll*& p) {
    if (p == nullptr) return;
    uv_poll_stop(&p->handle);
    p->session = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&p->handle), OnPollClosed);
    p = nullptr;
  }

  static void OnPollEvent(uv_poll_t* h, int status, int events) {
    auto* p = static_cast<Poll*>(h->data);
    HboneSession* self = p->session;
    if (self == nullptr || self->closed_) return;
    Napi::HandleScope scope(self->env_);
    if (p->streamId == 0) {
      self->OnTls(status, events);
    } else {
      auto it = self->streams_.find(p->streamId);
      if (it != self->streams_.end()) self->OnApp(it->second, status, events);
    }
    self->AfterEvent();
  }

  // ---- TLS -------------------------------------------------------------------------------------------------

  void Handshake() {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      if (!SendTls()) return;
      const unsigned char* alpn = nullptr;
      unsigned int alpnLen = 0;
      SSL_get0_alpn_selected(ssl_, &alpn, &alpnLen);
      if (alpnLen != 2 || memcmp(alpn, "h2", 2) != 0) {
        Close("the peer did not negotiate ALPN h2");
        return;
      }
      if (!StartHttp2()) return;
      X509* peer = SSL_get1_peer_certificate(ssl_);
      Napi::Value der = Env().Undefined();
      if (peer != nullptr) {
        int len = i2d_X509(peer, nullptr);
        Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(Env(), len > 0 ? len : 0);
        uint8_t* p = buf.Data();
        if (len > 0) i2d_X509(peer, &p);
        X509_free(peer);
        der = buf;
      }
      Emit("handshake", {der});
      if (closed_) return;
      Flush();
      return;
    }
    int err = SSL_get_error(ssl_, rc);
    int savedErrno = errno;
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      errno = savedErrno;
      std::string why = SslFailure(err);
      SendTls();  // the alert, if OpenSSL wrote one, tells the peer why
      Close("TLS handshake failed: " + why);
      return;
    }
    if (!SendTls()) return;
    SetEvents(tlsPoll_, UV_READABLE | (wantWrite_ ? UV_WRITABLE : 0));
  }

  std::string SslFailure(int err) {
    if (err == SSL_ERROR_SYSCALL) {
      std::string detail = TakeSslError("");
      if (!detail.empty()) return detail;
      return errno != 0 ? std::string(strerror(errno)) : "connection closed by the peer";
    }
    if (err == SSL_ERROR_ZERO_RETURN) return "connection closed by the peer";
    long verify = SSL_get_verify_result(ssl_);
    std::string detail = TakeSslError("TLS error");
    if (verify != X509_V_OK) detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    return detail;
  }

  void OnTls(int status, int events) {
    if (status < 0) {
      Close(std::string("socket error: ") + uv_strerror(status));
      return;
    }
    if (h2_ == nullptr) {
      Handshake();
      return;
    }
    if (events & UV_READABLE) ReadTls();
    if (!closed_ && (events & UV_WRITABLE)) wantWrite_ = false;
    if (!closed_) Flush();
  }

  void ReadTls() {
    uint8_t* buf = SharedReadBuffer();
    while (!closed_) {
      // Decrypt records until the buffer is full or OpenSSL holds nothing more, then give nghttp2 all of it at
      // once: a DATA frame spread over several records reaches the app in one write, not one per record.
      size_t got = 0;
      int err = SSL_ERROR_NONE;
      int savedErrno = 0;
      bool pending = false;
      while (got < kReadChunk) {
        ERR_clear_error();
        errno = 0;
        int n = SSL_read(ssl_, buf + got, static_cast<int>(kReadChunk - got));
        if (n <= 0) {
          err = SSL_get_error(ssl_, n);
          savedErrno = errno;
          break;
        }
        got += n;
        pending = SSL_has_pending(ssl_);
        if (!pending) break;
      }
      if (got > 0) {
        inH2_ = true;
        ssize_t used = nghttp2_session_mem_recv(h2_, buf, got);
        inH2_ = false;
        if (ClosedWhileInH2()) return;
        if (used < 0) {
          Close(std::string("HTTP/2 error from the peer: ") + nghttp2_strerror(static_cast<int>(used)));
          return;
        }
      }
      if (err == SSL_ERROR_NONE) {
        // Nothing decrypted or buffered is left: stop rather than pay a read() that says EAGAIN; the
        // (level-triggered) poll reports the socket again if more arrived.
        if (!pending) return;
        continue;
      }
      if (err == SSL_ERROR_WANT_READ) return;
      if (err == SSL_ERROR_WANT_WRITE) {
        wantWrite_ = true;
        return;
      }
      if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && savedErrno == 0 && ERR_peek_error() == 0)) {
        Close(nghttp2_session_want_read(h2_) ? "connection closed by the peer" : "");
        return;
      }
      errno = savedErrno;
      Close("TLS read failed: " + SslFailure(err));
      return;
    }
  }

  bool StartHttp2() {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, OnBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cb, OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, OnFrameRecv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, OnDataChunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, OnStreamClose);
    nghttp2_session_callbacks_set_data_source_read_length_callback(cb, DataFrameLength);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(cb, OnFrameNotSent);
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    nghttp2_option_set_no_auto_window_update(opt, 1);  // the window opens as the app takes the bytes
    nghttp2_option_set_peer_max_concurrent_streams(opt, maxStreams_);
    // An HBONE peer is an authenticated workload, and every app that aborts its connection makes a stream reset:
    // nghttp2's default (1000, then 33 a second) would end the session, every tunnel on it, under ordinary
    // churn. Bounded still, far above what apps do.
    if (nghttp2_option_set_stream_reset_rate_limit != nullptr) {
      nghttp2_option_set_stream_reset_rate_limit(opt, kResetBurst, kResetRate);
    }
    int rc = server_ ? nghttp2_session_server_new2(&h2_, cb, this, opt) : nghttp2_session_client_new2(&h2_, cb, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0) {
      h2_ = nullptr;
      Close(std::string("HTTP/2 session: ") + nghttp2_strerror(rc));
      return false;
    }
    std::vector<nghttp2_settings_entry> settings = {
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(streamWindow_)},
        {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, static_cast<uint32_t>(maxFrame_)},
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(kMaxHeaderList)},
    };
    if (server_) settings.push_back({NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, static_cast<uint32_t>(maxStreams_)});
    nghttp2_submit_settings(h2_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    nghttp2_session_set_local_window_size(h2_, NGHTTP2_FLAG_NONE, 0, static_cast<int32_t>(connectionWindow_));
    return true;
  }

  // Writes the TLS output buffer to the socket; false when the session closed on a write error. Sets wantWrite_
  // when the socket is full (the rest waits for the poll).
  bool SendTls() {
    bool failed = false;
    tlsOutOff_ += WriteNow(fd_, tlsOut_.data() + tlsOutOff_, tlsOut_.size() - tlsOutOff_, &failed);
    if (failed) {
      Close(std::string("socket write failed: ") + strerror(errno));
      return false;
    }
    if (tlsOutOff_ < tlsOut_.size()) {
      wantWrite_ = true;
      return true;
    }
    tlsOut_.clear();
    tlsOutOff_ = 0;
    if (tlsOut_.capacity() > 4 * kWriteBatch) std::vector<uint8_t>().swap(tlsOut_);
    wantWrite_ = false;
    return true;
  }

  // Encrypts into the output buffer. The output BIO takes everything, so SSL_write never waits; with partial
  // writes enabled it may return after each record. False when the session closed.
  bool EncryptAll(const uint8_t* data, size_t len) {
    for (size_t off = 0; off < len;) {
      ERR_clear_error();
      int n = SSL_write(ssl_, data + off, static_cast<int>(len - off));
      if (n <= 0) {
        Close("TLS write failed: " + SslFailure(SSL_get_error(ssl_, n)));
        return false;
      }
      off += n;
    }
    return true;
  }

  // Gathers frames from nghttp2 (up to a batch), encrypts them into the output buffer and writes it,
  // until nghttp2 has nothing more or the socket is full: then the frames wait in nghttp2, which is the
  // backpressure that stops reading the app sockets.
  void Flush() {
    if (closed_ || h2_ == nullptr || inH2_ || inFlush_) return;
    inFlush_ = true;
    for (;;) {
      if (!SendTls()) {
        inFlush_ = false;
        return;
      }
      if (wantWrite_) break;
      wbuf_.clear();
      bool sentDirect = false;
      while (wbuf_.size() < kWriteBatch) {
        const uint8_t* data = nullptr;
        inH2_ = true;
        ssize_t n = nghttp2_session_mem_send(h2_, &data);
        inH2_ = false;
        if (ClosedWhileInH2()) {
          inFlush_ = false;
          return;
        }
        if (n < 0) {
          inFlush_ = false;
          Close(std::string("HTTP/2 send failed: ") + nghttp2_strerror(static_cast<int>(n)));
          return;
        }
        if (n == 0) break;
        if (wbuf_.empty() && static_cast<size_t>(n) >= kDirectFrame) {
          // A large DATA frame is encrypted straight from nghttp2's buffer (valid until the next mem_send).
          if (!EncryptAll(data, static_cast<size_t>(n))) {
            inFlush_ = false;
            return;
          }
          sentDirect = true;
          break;
        }
        wbuf_.insert(wbuf_.end(), data, data + n);
      }
      if (sentDirect) continue;
      if (wbuf_.empty()) break;
      if (!EncryptAll(wbuf_.data(), wbuf_.size())) {
        inFlush_ = false;
        return;
      }
    }
    inFlush_ = false;
    if (closed_) return;
    if (wbuf_.capacity() > 2 * kWriteBatch) std::vector<uint8_t>().swap(wbuf_);
    SetEvents(tlsPoll_, UV_READABLE | (wantWrite_ ? UV_WRITABLE : 0));
    if (tlsOut_.empty() && !nghttp2_session_want_read(h2_) && !nghttp2_session_want_write(h2_)) Close("");
  }

  // ---- app sockets -----------------------------------------------------------------------------------------

  void OnApp(Stream* s, int status, int events) {
    if (status < 0) {
      AbortStream(s);
      return;
    }
    int32_t id = s->id;
    if (events & UV_WRITABLE) WriteToApp(s);
    if ((s = Find(id)) == nullptr) return;
    if (events & UV_READABLE) {
      s->drained = false;
      if (s->deferred) {
        s->deferred = false;
        nghttp2_session_resume_data(h2_, id);
        // Send now, then look at the poll: the read usually ends deferred again, and the poll stays as it is
        // instead of being stopped and restarted (two epoll_ctl calls per request).
        Flush();
        if (closed_ || (s = Find(id)) == nullptr) return;
      }
    }
    UpdateAppEvents(s);
  }

  void UpdateAppEvents(Stream* s) {
    if (s->fd < 0) return;
    int events = (s->deferred ? UV_READABLE : 0) | (s->outOff < s->out.size() ? UV_WRITABLE : 0);
    SetEvents(s->poll, events);
  }

  // The app socket failed: reset the stream; OnStreamClose closes the socket.
  void AbortStream(Stream* s) {
    if (s->h2Closed) {
      streams_.erase(s->id);
      FinishStream(s, NGHTTP2_CANCEL);
      return;
    }
    nghttp2_submit_rst_stream(h2_, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
    if (s->fd >= 0) SetEvents(s->poll, 0);
    s->out.clear();
    s->outOff = 0;
  }

  // Writes what the peer sent to the app socket and opens the window by what was taken.
  void WriteToApp(Stream* s) {
    if (s->fd < 0) return;
    if (s->outOff < s->out.size()) {
      bool failed = false;
      size_t n = WriteNow(s->fd, s->out.data() + s->outOff, s->out.size() - s->outOff, &failed);
      if (n > 0) {
        s->outOff += n;
        s->toApp += n;
        nghttp2_session_consume(h2_, s->id, n);
      }
      if (failed) {
        AbortStream(s);
        return;
      }
    }
    if (s->outOff == s->out.size()) {
      s->out.clear();
      s->outOff = 0;
      if (s->out.capacity() > kReadChunk) std::vector<uint8_t>().swap(s->out);
      MaybeShutApp(s);
      if (s->h2Closed) {
        streams_.erase(s->id);
        FinishStream(s, NGHTTP2_NO_ERROR);
        return;
      }
    }
    UpdateAppEvents(s);
  }

  void MaybeShutApp(Stream* s) {
    if (s->peerEnded && !s->appWriteShut && s->fd >= 0 && s->out.empty()) {
      s->appWriteShut = true;
      shutdown(s->fd, SHUT_WR);
    }
  }

  // ---- nghttp2 callbacks -----------------------------------------------------------------------------------

  static HboneSession* Self(void* user) { return static_cast<HboneSession*>(user); }

  Stream* Find(int32_t id) {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second;
  }

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    HboneSession* self = Self(user);
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    int32_t id = frame->hd.stream_id;
    if (self->server_ && frame->headers.cat == NGHTTP2_HCAT_REQUEST && self->Find(id) == nullptr) {
      auto* s = new Stream();
      s->id = id;
      self->streams_[id] = s;
    }
    return 0;
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t, void* user) {
    Stream* s = Self(user)->Find(frame->hd.stream_id);
    if (s == nullptr) return 0;
    // The header list size advertised in SETTINGS, counted as RFC 9113 does (32 bytes per field of overhead).
    s->headerBytes += namelen + valuelen + 32;
    if (s->headerBytes > kMaxHeaderList) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets the stream
    s->headers.emplace_back(reinterpret_cast<const char*>(name), namelen);
    s->headers.emplace_back(reinterpret_cast<const char*>(value), valuelen);
    return 0;
  }

  Napi::Array HeaderArray(Stream* s) {
    Napi::Array a = Napi::Array::New(Env(), s->headers.size());
    for (size_t i = 0; i < s->headers.size(); i++) a.Set(i, Napi::String::New(Env(), s->headers[i]));
    s->headers.clear();
    s->headerBytes = 0;
    return a;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    HboneSession* self = Self(user);
    int32_t id = frame->hd.stream_id;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        Stream* s = self->Find(id);
        if (s == nullptr) break;
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
          self->Emit("stream", {Napi::Number::New(self->Env(), id), self->HeaderArray(s)});
        } else if (frame->headers.cat == NGHTTP2_HCAT_RESPONSE) {
          int status = 0;
          for (size_t i = 0; i + 1 < s->headers.size(); i += 2) {
            if (s->headers[i] == ":status") status = atoi(s->headers[i + 1].c_str());
          }
          self->Emit("response",
                     {Napi::Number::New(self->Env(), id), Napi::Number::New(self->Env(), status), self->HeaderArray(s)});
        } else {
          s->headers.clear();
          s->headerBytes = 0;
        }
        break;
      }
      case NGHTTP2_GOAWAY:
        self->Emit("goaway", {Napi::Number::New(self->Env(), frame->goaway.error_code),
                              Napi::Number::New(self->Env(), frame->goaway.last_stream_id)});
        break;
      case NGHTTP2_PING:
        if (frame->hd.flags & NGHTTP2_FLAG_ACK) self->Emit("pong", {});
        break;
      default:
        break;
    }
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
      Stream* s = self->Find(id);
      if (s != nullptr) {
        s->peerEnded = true;
        self->MaybeShutApp(s);
      }
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session* h2, uint8_t, int32_t id, const uint8_t* data, size_t len, void* user) {
    HboneSession* self = Self(user);
    Stream* s = self->Find(id);
    if (s == nullptr) {
      nghttp2_session_consume_connection(h2, len);
      return 0;
    }
    size_t done = 0;
    if (s->fd >= 0 && s->out.empty()) {
      bool failed = false;
      done = WriteNow(s->fd, data, len, &failed);
      if (failed) {
        self->AbortStream(s);
        nghttp2_session_consume(h2, id, len);
        return 0;
      }
      if (done > 0) {
        s->toApp += done;
        nghttp2_session_consume(h2, id, done);
      }
    }
    if (done < len) {
      s->out.insert(s->out.end(), data + done, data + len);
      self->UpdateAppEvents(s);
    }
    return 0;
  }

  // DATA frames of up to kMaxDataFrame (nghttp2 would send 16 KiB), within the peer's frame size and the
  // windows: one read of the app socket per frame, and far fewer frames.
  static ssize_t DataFrameLength(nghttp2_session*, uint8_t, int32_t, int32_t sessionWindow, int32_t streamWindow,
                                 uint32_t peerMaxFrame, void*) {
    int64_t n = std::min<int64_t>({sessionWindow, streamWindow, peerMaxFrame, kMaxDataFrame});
    return static_cast<ssize_t>(std::max<int64_t>(n, 1));
  }

  // Data provider: reads the app socket straight into nghttp2's frame buffer.
  static ssize_t ReadFromApp(nghttp2_session*, int32_t id, uint8_t* buf, size_t length, uint32_t* flags,
                             nghttp2_data_source*, void* user) {
    HboneSession* self = Self(user);
    Stream* s = self->Find(id);
    if (s == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (s->fd < 0) {
      s->deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    if (s->headOff < s->head.size()) {
      size_t n = std::min(length, s->head.size() - s->headOff);
      memcpy(buf, s->head.data() + s->headOff, n);
      s->headOff += n;
      s->fromApp += n;
      if (s->headOff == s->head.size()) std::vector<uint8_t>().swap(s->head);
      return static_cast<ssize_t>(n);
    }
    if (s->drained) {  // a read now would almost surely say EAGAIN; the poll will tell when there is more
      s->deferred = true;
      self->UpdateAppEvents(s);
      return NGHTTP2_ERR_DEFERRED;
    }
    for (;;) {
      ssize_t n = read(s->fd, buf, length);
      if (n > 0) {
        s->fromApp += n;
        if (static_cast<size_t>(n) < length) s->drained = true;
        return n;
      }
      if (n == 0) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        s->deferred = true;
        self->UpdateAppEvents(s);
        return NGHTTP2_ERR_DEFERRED;
      }
      self->AbortStream(s);  // the app socket failed: RST_STREAM(CANCEL)
      return NGHTTP2_ERR_DEFERRED;
    }
  }

  // A request nghttp2 would not send (say, headers over the peer's SETTINGS_MAX_HEADER_LIST_SIZE) never opens:
  // end it here, with the reason, or its caller would wait for an answer forever.
  static int OnFrameNotSent(nghttp2_session*, const nghttp2_frame* frame, int error, void* user) {
    HboneSession* self = Self(user);
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    Stream* s = self->Find(frame->hd.stream_id);
    if (s == nullptr) return 0;
    self->streams_.erase(s->id);
    self->FinishStream(s, NGHTTP2_INTERNAL_ERROR);
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t id, uint32_t code, void* user) {
    HboneSession* self = Self(user);
    Stream* s = self->Find(id);
    if (s == nullptr) return 0;
    if (code == NGHTTP2_NO_ERROR && s->fd >= 0 && s->outOff < s->out.size()) {
      s->h2Closed = true;  // finished by WriteToApp once the app has every byte
      return 0;
    }
    self->streams_.erase(id);
    self->FinishStream(s, code);
    return 0;
  }

  // Closes the app socket (a reset unless the stream ended cleanly with every byte delivered) and reports.
  void FinishStream(Stream* s, uint32_t code) {
    if (s->fd >= 0) {
      ClosePoll(s->poll);
      bool clean = code == NGHTTP2_NO_ERROR && s->out.size() == s->outOff;
      if (clean) close(s->fd);
      else AbortFd(s->fd);
      s->fd = -1;
    }
    Napi::Env env = Env();
    Emit("streamClose", {Napi::Number::New(env, s->id), Napi::Number::New(env, code),
                         Napi::Number::New(env, static_cast<double>(s->fromApp)),
                         Napi::Number::New(env, static_cast<double>(s->toApp))});
    delete s;
  }

  // ---- events, closing -------------------------------------------------------------------------------------

  void Emit(const char* kind, std::initializer_list<napi_value> args) {
    if (emit_.IsEmpty()) return;
    Napi::Env env = Env();
    std::vector<napi_value> argv;
    argv.push_back(Napi::String::New(env, kind));
    argv.insert(argv.end(), args.begin(), args.end());
    try {
      emit_.MakeCallback(Value(), argv, asyncContext_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env_, e.Value());
    }
  }

  bool ClosedWhileInH2() {
    if (pendingClose_) Close(pendingCloseError_);
    return closed_;
  }

  void AfterEvent() {
    if (!closed_) Flush();
  }

  // nghttp2 must not be torn down from inside one of its own calls: a close asked for there (by us or by a
  // JS listener) waits until the call returns.
  void Close(const std::string& error) {
    if (closed_) return;
    if (inH2_) {
      if (!pendingClose_) pendingCloseError_ = error;
      pendingClose_ = true;
      return;
    }
    closed_ = true;
    std::vector<Stream*> open;
    for (auto& [id, s] : streams_) open.push_back(s);
    streams_.clear();
    for (Stream* s : open) FinishStream(s, NGHTTP2_CANCEL);
    if (h2_ != nullptr) {
      nghttp2_session_del(h2_);
      h2_ = nullptr;
    }
    ClosePoll(tlsPoll_);
    if (ssl_ != nullptr) {
      if (error.empty() && SSL_shutdown(ssl_) >= 0) {  // best effort close_notify; the socket is non-blocking
        if (tlsOutOff_ < tlsOut_.size()) (void)!write(fd_, tlsOut_.data() + tlsOutOff_, tlsOut_.size() - tlsOutOff_);
      }
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
    Emit("close", {Napi::String::New(Env(), error)});
    // Nothing is emitted after 'close'. The emit callback closes over the JS wrapper, which holds this object:
    // kept, that strong reference would keep every closed session alive for good.
    emit_.Reset();
    tlsRef_.Reset();
    std::vector<uint8_t>().swap(wbuf_);
    std::vector<uint8_t>().swap(tlsOut_);
    Unref();  // balances the Ref() of the constructor; JS may now collect the object
  }

  napi_env env_ = nullptr;
  uv_loop_t* loop_ = nullptr;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  nghttp2_session* h2_ = nullptr;
  Poll* tlsPoll_ = nullptr;
  Napi::ObjectReference tlsRef_;
  Napi::FunctionReference emit_;
  napi_async_context asyncContext_ = nullptr;
  std::unordered_map<int32_t, Stream*> streams_;
  std::vector<uint8_t> wbuf_;    // plaintext frames gathered for one SSL_write
  std::vector<uint8_t> tlsOut_;  // records not yet written to the socket
  size_t tlsOutOff_ = 0;
  bool server_ = false;
  bool closed_ = false;
  bool wantWrite_ = false;
  bool inH2_ = false;
  bool inFlush_ = false;
  bool pendingClose_ = false;
  std::string pendingCloseError_;
  int64_t streamWindow_ = 0;
  int64_t connectionWindow_ = 0;
  int64_t maxStreams_ = 0;
  int64_t maxFrame_ = 0;
};

}  // namespace

void InitHboneSession(Napi::Env env, Napi::Object exports) {
  InitTlsContext(env, exports);
  exports.Set("HboneSession", HboneSession::Define(env));
}

}  // namespace meshnet

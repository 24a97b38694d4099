# Builds the socket plumbing addon (setns, SO_ORIGINAL_DST, IP_TRANSPARENT, SO_MARK, SOCK_SEQPACKET + SCM_RIGHTS,
# a libuv poll watcher, the native HBONE data path (TLS and HTTP/2 from the node binary's OpenSSL and nghttp2), madvise for releasing startup pages, malloc_trim). Linux only. The output lands in build/Release/mesh_net.node.
{
  'targets': [
    {
      'target_name': 'mesh_net',
      'sources': [
        'src/addon.cc',
        'src/errno-error.cc',
        'src/options.cc',
        'src/inet-addr.cc',
        'src/netns.cc',
        'src/tcp.cc',
        'src/sockopt.cc',
        'src/seqpacket.cc',
        'src/fd-watcher.cc',
        'src/memory.cc',
        'src/tls-context.cc',
        'src/hbone-session.cc',
      ],
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      'defines': ['NAPI_VERSION=8', '_GNU_SOURCE'],
      'cflags_cc': ['-std=c++17', '-Wall', '-Wextra'],
    },
  ],
}

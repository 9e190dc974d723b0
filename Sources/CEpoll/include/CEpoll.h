// Linux interfaces that Swift's Glibc module does not export: epoll, eventfd, accept4.
#ifndef KVORTEX_CEPOLL_H
#define KVORTEX_CEPOLL_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC: a non-blocking client socket, or -1 with errno.
static inline int kvortex_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
#endif

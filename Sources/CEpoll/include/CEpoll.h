// Linux interfaces that Swift's Glibc module does not export: epoll, eventfd, accept4.
// No feature macros here: defining _GNU_SOURCE in a header imported beside Glibc changes the layout
// of shared structs (fd_set) and breaks module builds; accept4 is wrapped in CEpoll.c instead.
#ifndef KVORTEX_CEPOLL_H
#define KVORTEX_CEPOLL_H
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC: a non-blocking client socket, or -1 with errno.
int kvortex_accept_nonblocking(int fd);
#endif

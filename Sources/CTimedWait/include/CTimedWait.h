// Linux calls the open-loop load generator needs that Swift's Glibc module does not export: an epoll
// wait with a nanosecond timeout (epoll_pwait2) and prctl(PR_SET_TIMERSLACK). Both are wrapped in
// CTimedWait.c, where _GNU_SOURCE may be defined without changing the layout of structs shared with
// Glibc (see CEpoll.h). The events buffer is passed untyped so that this header need not include
// <sys/epoll.h>, which CEpoll already brings to Swift.
#ifndef KVORTEX_CTIMEDWAIT_H
#define KVORTEX_CTIMEDWAIT_H

/// epoll_wait that waits at most `timeout_ns` nanoseconds (negative: no limit); `events` points to
/// `max_events` struct epoll_event. Falls back to epoll_wait (timeout rounded up to a millisecond) on
/// kernels without epoll_pwait2. Returns what epoll_wait returns.
int kvortex_epoll_wait_ns(int epoll_fd, void *events, int max_events, long long timeout_ns);

/// Sets the calling thread's timer slack (how late the kernel may end its sleeps); 0 on success.
int kvortex_set_timer_slack_ns(unsigned long slack_ns);
#endif

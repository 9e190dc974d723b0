#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>
#include "CTimedWait.h"

int kvortex_epoll_wait_ns(int epoll_fd, void *events, int max_events, long long timeout_ns) {
    static int lacks_pwait2 = 0;  /* set once, read relaxed: any thread may find it out */
    if (timeout_ns < 0) return epoll_wait(epoll_fd, (struct epoll_event *)events, max_events, -1);
    if (!__atomic_load_n(&lacks_pwait2, __ATOMIC_RELAXED)) {
        struct timespec timeout = { .tv_sec = timeout_ns / 1000000000LL, .tv_nsec = timeout_ns % 1000000000LL };
        int ready = epoll_pwait2(epoll_fd, (struct epoll_event *)events, max_events, &timeout, NULL);
        if (ready >= 0 || errno != ENOSYS) return ready;
        __atomic_store_n(&lacks_pwait2, 1, __ATOMIC_RELAXED);
    }
    long long timeout_ms = (timeout_ns + 999999LL) / 1000000LL;
    return epoll_wait(epoll_fd, (struct epoll_event *)events, max_events, timeout_ms > 2000000000LL ? 2000000000 : (int)timeout_ms);
}

int kvortex_set_timer_slack_ns(unsigned long slack_ns) {
    return prctl(PR_SET_TIMERSLACK, slack_ns, 0, 0, 0);
}

#ifndef ACTIONPROXY_SYSTEM_SHIMS_H
#define ACTIONPROXY_SYSTEM_SHIMS_H
#include <sys/prctl.h>

// Declared here because Glibc's module hides GNU extensions from Swift.
int pipe2(int pipefd[2], int flags);

// prctl is variadic, which Swift cannot call.
static inline int actionproxy_become_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}
#endif

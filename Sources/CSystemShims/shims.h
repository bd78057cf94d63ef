#ifndef ACTIONPROXY_SYSTEM_SHIMS_H
#define ACTIONPROXY_SYSTEM_SHIMS_H
#include <malloc.h>
#include <sys/prctl.h>

// Declared here because Glibc's module hides GNU extensions from Swift.
int pipe2(int pipefd[2], int flags);

// prctl is variadic, which Swift cannot call.
static inline int actionproxy_become_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

// One malloc arena: the proxy's threads mostly wait, and each arena glibc
// would make for them is resident memory for nothing. (malloc.h is not in
// Swift's Glibc module; a static executable has no dlsym to find it with.)
static inline int actionproxy_use_one_malloc_arena(void) {
    return mallopt(M_ARENA_MAX, 1);
}
#endif

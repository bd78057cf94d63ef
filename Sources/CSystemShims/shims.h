#ifndef ACTIONPROXY_SYSTEM_SHIMS_H
#define ACTIONPROXY_SYSTEM_SHIMS_H
// Declared here because Glibc's module hides GNU extensions from Swift.
int pipe2(int pipefd[2], int flags);
#endif

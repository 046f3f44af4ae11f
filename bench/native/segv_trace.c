/* A SIGSEGV/SIGABRT handler that prints the native stack, for LD_PRELOAD.
 *
 *   gcc -shared -fPIC -O1 -o /tmp/segv_trace.so bench/native/segv_trace.c
 *   LD_PRELOAD=/tmp/segv_trace.so python3 -c "..."
 *
 * Used on the GPU machine, whose image has no gdb, to see where a model load
 * dies when numpy's libraries were loaded first (docs/gpu.md). Each frame
 * is printed as library(symbol+offset) plus the library's load address, so
 * an offset inside a stripped function can be looked up with addr2line.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_fault(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    void *frames[64];
    int n = backtrace(frames, 64);
    char line[512];
    int len = snprintf(line, sizeof line, "\n*** signal %d at address %p; %d frames:\n",
                       sig, info->si_addr, n);
    write(2, line, (size_t)len);
    for (int i = 0; i < n; i++) {
        Dl_info where;
        if (dladdr(frames[i], &where) && where.dli_fname) {
            len = snprintf(line, sizeof line, "#%-2d %p %s+0x%lx (%s+0x%lx)\n", i, frames[i],
                           where.dli_sname ? where.dli_sname : "?",
                           where.dli_saddr ? (unsigned long)((char *)frames[i] - (char *)where.dli_saddr) : 0UL,
                           where.dli_fname,
                           (unsigned long)((char *)frames[i] - (char *)where.dli_fbase));
        } else {
            len = snprintf(line, sizeof line, "#%-2d %p ?\n", i, frames[i]);
        }
        write(2, line, (size_t)len);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

__attribute__((constructor)) static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
    sigaction(SIGABRT, &action, NULL);
}

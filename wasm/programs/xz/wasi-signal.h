/* xz catches and blocks signals so that Ctrl-C removes a half-written file. A unit is sent none,
   and WASI's emulated signals (signal, raise) have no masks and no sigaction, so here these do
   nothing. Without SIGALRM, xz polls the clock for its progress messages (-v) instead of alarm(). */
#include <signal.h>
#undef SIGALRM
#include <__typedef_sigset_t.h>
struct sigaction {
  void (*sa_handler)(int);
  sigset_t sa_mask;
  int sa_flags;
};
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
static inline int sigemptyset(sigset_t *set) { *set = 0; return 0; }
static inline int sigfillset(sigset_t *set) { *set = 0; return 0; }
static inline int sigaddset(sigset_t *set, int sig) { (void)set; (void)sig; return 0; }
static inline int sigprocmask(int how, const sigset_t *set, sigset_t *old) { (void)how; (void)set; (void)old; return 0; }
static inline int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  (void)sig; (void)act;
  if (old) old->sa_handler = SIG_DFL;
  return 0;
}
